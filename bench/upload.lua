-- wrk script: upload a 1 MiB PDF as multipart/form-data with $TOKEN.
local boundary = "zhenggai-bench-boundary"
local pdf = "%PDF-1.4\n" .. string.rep("0123456789abcdef", 65536) .. "\n%%EOF\n"
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
wrk.body = "--" .. boundary .. "\r\n"
  .. 'Content-Disposition: form-data; name="file"; filename="bench.pdf"\r\n'
  .. "Content-Type: application/pdf\r\n\r\n"
  .. pdf .. "\r\n--" .. boundary .. "--\r\n"
