# zhenggai 的中文提示语。每条一行：`编号 = 文字`，{ $name } 处由系统填入具体内容。
# 编号供程序使用，请勿改动；只改 `=` 右边的文字。条目须与 en.ftl 一一对应。

## Refusals (403): who may do what
refusal-read_units = 无权查看单位名录。
refusal-create_unit = 只有系统管理员可以新建或调整单位。
refusal-read_inspections = 无权查看该巡察（检查）。
refusal-write_inspection = 只有整改办可以登记或修改巡察（检查）。
refusal-read_findings = 无权查看该问题。
refusal-write_finding = 只有整改办可以登记、修改或改派问题。
refusal-read_measures = 无权查看该整改措施。
refusal-create_measure = 只有问题责任单位或整改办可以添加整改措施。
refusal-edit_measure = 只有问题责任单位或整改办可以修改整改措施。
refusal-start_measure = 只有牵头单位或问题责任单位可以启动整改措施。
refusal-report_progress = 只有牵头单位、配合单位或问题责任单位可以报送整改进展。
refusal-upload_evidence = 只有牵头单位、配合单位或问题责任单位可以上传佐证材料。
refusal-withdraw_evidence = 只有牵头单位或问题责任单位可以撤回佐证材料。
refusal-submit_measure = 只有牵头单位或问题责任单位可以申请销号。
refusal-request_extension = 只有牵头单位或问题责任单位可以申请延期。
refusal-endorse_measure = 只有牵头单位的责任领导可以对销号申请签字背书。
refusal-verify_measure = 只有整改办可以审核验收、对账销号。
refusal-return_measure = 只有整改办或牵头单位的责任领导可以退回销号申请。
refusal-remind_measure = 只有整改办或纪检监察可以催办。
refusal-supervise_finding = 只有整改办或纪检监察可以挂牌督办或撤销督办。
refusal-recheck_measure = 只有整改办或纪检监察可以开展回头看。
refusal-reopen_measure = 只有整改办或纪检监察可以重新打开已销号的措施（回头看）。
refusal-work_finding = 只有问题责任单位可以认领问题、提交整改方案。
refusal-review_plan = 只有整改办可以审批或退回整改方案。
refusal-decide_extension = 只有整改办可以审批延期申请。
refusal-verify_audit = 只有管理员、整改办或纪检监察可以核验审计记录。
refusal-manage_webhooks = 只有管理员或整改办可以管理消息推送。
refusal-manage_people = 只有管理员或整改办可以维护人员名录。
refusal-read_duties = 无权查看该年度任务。
refusal-write_duty = 只有整改办或管理员可以制定、调整年度任务。
refusal-record_activity = 只有本单位人员、分管领导或整改办可以登记本单位的开展情况。
refusal-manage_activity_kinds = 只有整改办或管理员可以增加活动类型。
refusal-hand_over = 只有整改办、管理员或牵头单位的领导可以办理责任交接。
refusal-distinct_endorser = 申请销号的人不能再为本申请签字背书，须由另一人签字。
refusal-distinct_verifier-submitter = 申请销号的人不能再审核验收本申请，须由另一人审核。
refusal-distinct_verifier-endorser = 签字背书的人不能再审核验收本申请，须由第三人审核。
refusal-named_endorser = 本措施的责任领导为 { $named }，只有本人（或经责任交接的接任者）可以签字背书。

## Wrong state (409)
wrong-state-measure = 该措施当前状态为“{ $current }”，不能执行“{ $action }”；{ $count ->
        [0] 当前没有可执行的操作。
       *[other] 当前可执行：{ $allowed }。
    }
wrong-state-finding = 该问题当前状态为“{ $current }”，不能执行“{ $action }”；{ $count ->
        [0] 当前没有可执行的操作。
       *[other] 当前可执行：{ $allowed }。
    }

## 状态、类型、操作的中文名称取自程序内置的标签（src/domain/enums.rs、src/domain/workflow.rs），此处不另列。

## Titles: the HTTP status, told
title-400 = 请求有误
title-401 = 未通过身份认证
title-403 = 无权操作
title-404 = 未找到
title-405 = 不支持该请求方法
title-406 = 无法提供所要求的格式
title-408 = 请求超时
title-409 = 与当前状态冲突
title-410 = 已撤回
title-412 = 版本已变化
title-413 = 内容过大
title-414 = 请求地址过长
title-415 = 不支持的文件或内容类型
title-416 = 请求的范围无效
title-422 = 请求内容未通过校验
title-429 = 请求过于频繁
title-431 = 请求头过大
title-500 = 服务器内部错误
title-503 = 服务暂不可用
title-507 = 存储空间不足

## General problems
internal = 服务器内部出错，已记录日志。
invalid-fields = 请求中有不符合要求的字段。
method-not-allowed = 此处不支持 { $method } 请求。
sheet-problems = 表格中有 { $count } 处问题，未导入任何内容。
bad-param = 查询参数 { $field } 有误：{ $why }
not-found = 未找到。
conflict-same-code = 已存在编号相同的条目。
conflict-reference = 该条目与其他条目存在关联，不能这样修改。
conflict-concurrent = 有其他修改同时进行，请重试。
unavailable-disk-full = 数据库磁盘已满，本次未写入任何内容。
unavailable-connection-lost = 数据库连接中断，请重试。
unavailable-database = 数据库暂时无法访问。
unavailable-query-timeout = 查询用时超过上限，已停止，未作任何更改。请稍后重试，或缩小查询范围。
unavailable-busy = 正在运行或等待的统计、报告、导出请求过多，请稍后重试。
uploads-busy = 正在接收或等待的佐证材料上传过多，请稍后重试；本次上传未保存。

## Field values (validation)
length-between = 长度须为 { $min } 至 { $max } 个字符。
length-min = 长度至少为 { $min } 个字符。
length-max = 长度不能超过 { $max } 个字符。
range-between = 须在 { $min } 至 { $max } 之间。
range-min = 不能小于 { $min }。
range-max = 不能大于 { $max }。
blank = 不能为空。
invalid-value = 取值无效（{ $code }）。

## Rules of the ledger
due-date-needed = { $kind }措施须填写完成时限。
due-date-long-term = 长期坚持类措施不设完成时限，按周期报送进展。
due-date-before-feedback = 完成时限不能早于反馈日期 { $feedback }。
effective-future = { $day } 是将来的日期，今天是 { $today }。
effective-before-feedback = { $day } 早于反馈日期 { $feedback }。
effective-before-previous = { $day } 早于上一步（{ $step }，发生于 { $on }），各步骤须按先后顺序。
quota-long-term-only = 只有长期坚持类措施才设定次数要求，本措施为{ $kind }。
extension-closed = 该措施已销号，无需延期。
extension-no-deadline = { $kind }措施没有完成时限，无法延期。
extension-not-later = 申请的完成时限须晚于现有完成时限 { $due }。
extension-passed = { $requested } 已过，请申请今天（{ $today }）以后的日期。
supporting-is-lead = 牵头单位不能同时作为配合单位。
supporting-twice = 同一单位重复列出。
period-end-before-feedback = 集中整改期结束日期不能早于反馈日期。

## Request bodies, query strings, paths and headers
body-not-json = 请求体须为 JSON（Content-Type: application/json）。
body-unreadable = 无法读取请求体：{ $cause }
body-too-large = JSON 请求体超过 { $kib } KiB。
body-empty = 请求体为空，应为一个 JSON 对象。
json-malformed = JSON 格式错误（第 { $line } 行第 { $column } 列）：{ $reason }。
nul-char = 不能包含空字符（U+0000）。
if-match-invalid = If-Match 须为本服务给出的 ETag，例如 "3"。
if-match-not-ours = 不是本服务给出的 ETag。
query-invalid = 查询参数有误。
query-invalid-because = 查询参数有误：{ $why }
path-invalid = 路径参数有误：{ $cause }
must-be-uuid = 须为 UUID。

## Values as serde reads them
serde-unknown-variant = “{ $value }”不是可用的取值；{ $count ->
        [0] 没有可用的取值。
       *[other] 可用的取值：{ $allowed }。
    }
serde-unknown-field = 不认识的字段“{ $field }”；{ $count ->
        [0] 此处没有可填的字段。
       *[other] 可用的字段：{ $allowed }。
    }
serde-missing-field = 缺少必填字段“{ $field }”。
serde-duplicate-field = 字段“{ $field }”重复出现。
serde-invalid-type = 类型不对：应为{ $want }，收到的是{ $got }。
serde-invalid-value = 取值无效：应为{ $want }，收到的是{ $got }。
serde-invalid-length = 长度不对（{ $len }），应为{ $want }。
serde-other = 取值无效（{ $cause }）。
date-unreadable = “{ $value }”不是日期，请写作 2026-12-30、2026/12/30、2026年12月30日或2026年12月底前。
number-invalid = 不是有效的数字。
number-empty = 须填写数字。
number-too-large = 数字过大。
number-too-small = 数字过小。
number-not-finite = 不是有限的数字。
boolean-invalid = 须为 true 或 false。
date-invalid = 不是有效的日期，应如 2022-06-28。
date-out-of-range = 日期超出范围。
uuid-invalid = 不是有效的 UUID。

## Uploads and forms
upload-too-large = 文件超过 { $mb } MB（ZHENGGAI_MAX_UPLOAD_MB）。
upload-too-large-short = 文件过大。
upload-not-multipart = 请以 multipart/form-data 方式上传，文件放在 file 字段中。
multipart-malformed = multipart 请求体格式有误：{ $cause }
not-utf8 = 不是 UTF-8 文本。
upload-disk-full = 佐证材料存储磁盘已满，文件未保存。
storage-unavailable = 佐证材料存储暂时无法访问，本次未保存任何内容，请稍后重试。
range-not-satisfiable = 请求的字节范围超出文件大小（{ $size } 字节）。
upload-disk-nearly-full = 佐证材料存储磁盘即将用满，文件未接收（已记入日志，请联系管理员）。
upload-one-file = 每次只能上传一个文件。
date-like = 须为日期，如 2022-06-28。
form-field-unknown = 不认识的表单字段“{ $field }”，可用的字段：{ $expected }。
file-required = 须附上文件。
file-empty = 文件为空。
upload-kind = 该文件不是可接受的佐证材料类型（PDF、图片、Office 或 ODF 文档、ZIP、MP4）。
evidence-withdrawn = 该佐证材料已撤回，记录保留，文件不再提供下载。

## Webhooks
webhook-url-scheme = 地址须以 http:// 或 https:// 开头。
webhook-url-credentials = 地址中不能含有用户名或密码。
webhook-url-bracket = 地址中的 [主机] 缺少右括号。
webhook-url-ipv6 = [{ $host }] 不是 IPv6 地址。
webhook-url-port = “{ $port }”不是端口号。
webhook-url-not-allowed = “{ $host }”不在允许推送的地址范围内（ZHENGGAI_WEBHOOK_ALLOW）。
webhook-event-unknown = “{ $event }”不是可订阅的事件类型，可用：{ $allowed }。

## Other requests
calendar-year = { $year } 不是 1900 至 2999 之间的年份。
unit-id-unknown = 没有这个编号的单位。
token-required = 须提供身份令牌（Bearer token）。
no-route = 没有 { $method } { $path } 这一接口。
database-silent = 数据库无响应。
storage-silent = 佐证材料存储 1 秒内无响应。
database-slow = 数据库 1 秒内无响应。
disk-evidence = 佐证材料存储
disk-database = 数据库
disk-low = { $what }磁盘剩余 { $free } MB，低于 ZHENGGAI_MIN_FREE_MB（{ $min } MB）。
cursor-foreign = 不是本列表给出的游标。
cursor-foreign-feed = 不是本变更流给出的游标。
shutting-down = 服务正在停止。
import-one-sheet = 每次只能导入一个表格文件。
as-of-future = { $day } 尚未到来（今天是 { $today }），只能查询今天及以前的数据。
rollup-needs-unit = 按单位树汇总（parent_id）只能与 group_by=unit 一起使用。
unit-or-parent = unit_id 与 parent_id 只能选其一。
refusal-read_metrics = 运行指标统计全部台账，请使用查阅账号（viewer）。
refusal-read_report = 整改情况报告涵盖所有单位的事项，由整改办、纪检监察和查阅账号调阅；单位请导出本单位台账。

## Tokens (401)
token-malformed = 身份令牌格式有误。
token-expired = 身份令牌已过期。
token-not-yet-valid = 身份令牌尚未生效。
token-bad-signature = 身份令牌签名无效。
token-wrong-algorithm = 身份令牌使用了本服务不接受的签名算法。
token-wrong-issuer = 身份令牌的签发方不符。
token-wrong-audience = 身份令牌不是签发给本服务的。
token-missing-claim = 身份令牌缺少必需的声明：{ $claim }。
token-unknown-role = 身份令牌的角色须为 admin、office、unit、leader、supervisor、viewer 之一。
token-unit-required = 单位或领导的身份令牌须写明所在单位（unit 或 units）。
token-critical-extension = 身份令牌头部含有本服务不支持的关键扩展（crit）。
token-too-long-lived = 身份令牌有效期超过 366 天，请申请有效期更短的令牌。
token-unit-unknown = 身份令牌中的单位不存在。
token-required-header = 须提供身份令牌（Authorization: Bearer <JWT>）。
token-several-headers = 只能发送一个 Authorization 请求头。
token-header-unreadable = Authorization 请求头无法读取。
token-not-bearer = Authorization 请求头须使用 Bearer 方式。
token-empty = Authorization 请求头中没有令牌。
cursor-foreign-sort = 不是本列表在相同排序下给出的游标。

## Sheets (import)
cell-not-date = 不是日期。
cell-empty = 为空。
cell-date-unreadable = “{ $value }”不是日期，请写作 2022-12-31 或 2022年12月31日。
cell-not-one-of = “{ $value }”不是可用的取值，可用：{ $allowed }。
sheet-no-header = 没有找到表头：前 20 行中须有一行列出“问题编号”和“整改措施”。
sheet-column-missing = 表格缺少“{ $column }”列。
sheet-column-twice = 有不止一列名为“{ $column }”。
cell-required = “{ $column }”必须填写。
cell-due-required = 除长期坚持类措施外，“完成时限”必须填写。
cell-extension-count = “延期次数”须为 0 至 99 的整数。
sheet-described-differently = 问题 { $finding } 在第 { $row } 行的问题描述与此不同。
sheet-other-category = 问题 { $finding } 在第 { $row } 行的问题类别与此不同。
sheet-duplicate = 重复：第 { $other } 行在问题 { $finding } 下有相同的“{ $column }”。

## Annual plan sheets
plan-counted = “单位”须为次、学时或名。
plan-period = “周期”须为每月、每季度、每半年或全年。
plan-per = “对象”须为单位或每人。
plan-no-header = 没有找到含有{ $columns }的表头。
plan-metric-length = “指标”须为 1 至 200 个字符。
plan-min = “最低次数”须为 1 至 10000 的数字（“不少于X次”填 X）。
plan-persons = “对象”为每人时，须在“责任人”中列出人员。
plan-times-whole = 次数须为整数。
plan-year = “年度”须为年份，如 2026。
plan-kind-unknown = 没有这个编号或名称的活动类型（见 GET /api/v1/activity-kinds）。
plan-metric-no-kind = “指标”中没有可识别的活动类型，请增加“活动类型”列（见 GET /api/v1/activity-kinds）。


## Items, as messages name them
not-found-item = 未找到该{ $what }。
item-unit = 单位
item-inspection = 巡察（检查）
item-finding = 问题
item-measure = 整改措施
item-extension = 延期申请
item-evidence = 佐证材料
item-person = 人员
item-webhook = 消息推送订阅
item-duty = 年度任务
item-activity = 开展情况记录
item-handover = 责任交接记录
item-other = 条目
stale-version = 该{ $what }已更新为第 { $current } 版（您提交的是第 { $expected } 版），请重新读取后再操作。

## Writes that collide
concurrent-item = 该{ $what }同时被他人修改，请重新读取后再试。
activity-kind-exists = 活动类型 { $code } 已存在。
duty-exists = 编号为 { $code } 的年度任务已存在。
evidence-measure-closed = 该措施已销号，须重新打开后才能补充佐证材料。
evidence-frozen = 该佐证材料已被销号申请引用并锁定，不能撤回。
extension-decided-concurrently = 该申请已被他人同时审批，请重新读取。
finding-code-taken = 本次巡察（检查）中问题编号 { $code } 已被使用。
inspection-code-taken = 编号为 { $code } 的巡察（检查）已存在。
feedback-after-due = 本次巡察（检查）有 { $count } 项措施的完成时限早于该日期。
person-exists = 人员名录中已有 { $sub }，请用 PATCH 修改。
unit-code-taken = 编号为 { $code } 的单位已存在。

## Files to import
file-xlsx = xlsx 工作簿
file-csv = CSV 文件
xlsx-no-sheet = 其中没有工作表
csv-encoding = 文字既不是 UTF-8 也不是 GB18030 编码
file-unreadable = 无法按{ $what }读取该文件：{ $cause }。
sheet-save-as = 不能读取 { $what } 文件：请另存为 Excel 工作簿（.xlsx）或 CSV 后再导入。
xlsx-unpacks-large = 该工作簿解压后为 { $mb } MB，导入上限为 { $max } MB。
sheet-too-many-rows = 表格超过 { $max } 行，一次最多导入 { $max } 行。
sheet-too-much-text = 表格中的文字超过 { $mb } MB。
sheet-cell-too-long = 第 { $row } 行第 { $column } 列超过 { $max } 个字符（Excel 单元格上限）。
unit-name-ambiguous = 有多个单位名为“{ $name }”，请填写单位编号。
unit-name-unknown = 没有名称或编号为“{ $name }”的单位。
import-finding-elsewhere = 问题 { $finding } 属于巡察（检查）{ $other }，不属于本次；请导入到该次，或按 inspection_id 导出单次的台账。
import-status-workflow = 该措施当前为“{ $current }”，“整改状态”只能通过办理流程（申请销号、销号、退回等）改变，不能通过导入修改。
plan-one-unit = 任务 { $code } 属于{ $unit }（第 { $row } 行）：一个任务编号只能对应一个责任单位。
field-says = { $field }：{ $message }
slip-not-closed = 措施销号后才有对账销号单。
export-too-many-rows = 措施数超过 xlsx 工作表的容量（{ $max } 行），请缩小筛选范围或导出 CSV。
synthetic-exists = 该数据库中已有合成台账，请使用新的 DATABASE_URL。
body-too-large-short = 请求体过大。
media-type-unsupported = 不支持的内容类型。
bad-request = 请求有误。

## Findings, measures and their steps
finding-not-claimed = 该问题尚未认领，请先认领。
plan-not-approved = 该问题的整改方案尚未批准；限期整改和长期坚持类措施须待方案批准后开始（立行立改措施可立即开始）。
finding-closed-no-measures = 该问题已销号，不能再添加措施。
finding-plan-submitted-office-adds = 该问题当前为“{ $status }”，整改方案提交后只能由整改办添加措施。
plan-needs-measures = 整改方案至少要有一项措施，请先添加措施。
refusal-backdate = 只有整改办或管理员可以补录历史（effective_date）。
measure-closed-no-edit = 该措施已销号，不能再修改。
measure-kind-fixed = 措施开始整改后不能再改整改类型，该措施当前为“{ $status }”。
measure-due-fixed = 该措施当前为“{ $status }”，完成时限只能通过批准的延期申请调整。
measure-holders-fixed = 该措施当前为“{ $status }”，责任领导和责任人须通过责任交接（POST /api/v1/handovers）变更，并留有记录。
measure-code-taken = 本问题下措施编号 { $code } 已被使用。
measure-id-unknown = 没有这个编号的措施。
unit-ids-unknown = 没有编号为 { $ids } 的单位。
person-sub-unknown = 人员名录中没有这个登录账号。
person-sub-unknown-add = 人员名录中没有这个登录账号，请先添加（POST /api/v1/people）。
evidence-id-unknown = 本措施没有这个编号的佐证材料。

## Extensions, handovers, oversight
extension-pending = 该措施已有一份延期申请正在等待审批。
extension-decided = 该申请已{ $status }。
extension-closed-meanwhile = 该措施已在此期间销号，无需延期。
handover-same-person = 接任者与原责任人为同一人。
handover-responsible-by-name = 责任人只记录姓名，请不要填写 sub。
handover-nothing-held = { $name }在此范围内没有作为{ $role }的未销号措施，无需交接。
handover-measure-closed = 措施 { $code } 已销号，其责任人员作为历史记录保持不变。
handover-not-held = 措施 { $code } 的{ $role }不是{ $name }。
remind-closed = 该措施已销号，无需催办。
supervision-already = 该问题已在挂牌督办中。
supervision-not = 该问题未挂牌督办。
recheck-not-closed = 只有已销号的措施才能开展回头看，该措施当前为“{ $status }”。
recheck-future = { $day } 是将来的日期，回头看须在开展后登记。
recheck-before-close = 该措施于 { $closed } 销号，回头看须在此之后。

## Duties and activities
duty-no-quota = 年度任务至少要有一项次数要求。
quota-persons-needed = 按人计的要求须列出所涉人员。
quota-persons-unwanted = 只有按人计的要求（per: person）才列出人员。
activity-kind-unknown = “{ $kind }”不是已有的活动类型（见 GET /api/v1/activity-kinds）。
activity-kind-code = 编号须为 1 至 64 个小写字母、数字或下划线（如 branch_visit）。
duty-measure-own = 措施 { $measure } 的次数要求已由年度任务 { $duty }（{ $year } 年）记录，请修改该任务（PATCH /api/v1/duties/{ $id }），不要重复计算。
duty-id-unknown = 没有这个编号的年度任务。
activity-future = { $day } 尚未到来（今天是 { $today }），开展情况须在活动举行后登记。
activity-outside-year = { $day } 不在该任务所属的 { $year } 年内。
activity-kind-not-counted = 年度任务 { $duty } 不统计“{ $kind }”类活动。
person-blank = 人员须填写登录账号或姓名。
person-too-long = 人员的登录账号或姓名不能超过 100 个字符。
activity-withdrawn = 该开展情况记录已撤回。
withdraw-reason = 请说明撤回原因（1 至 2000 个字符）。
import-due-through-extension = 已开始整改的措施只能通过延期申请调整完成时限（当前状态：{ $status }）。

## Limits
rate-limited = 请求过于频繁：每个令牌每 { $secs } 秒最多 { $limit } 次，请按 Retry-After 所示时间后重试。

## Retried requests (Idempotency-Key)
request-too-large = 请求内容超过 { $mb } MB。
min-version-bad = X-Zhenggai-Min-Version 须为整数，即写入请求返回的 X-Zhenggai-Version。
idempotency-key-bad = Idempotency-Key 须为 1 至 255 个可见 ASCII 字符（例如 UUID）。
idempotency-key-running = 使用同一 Idempotency-Key 的请求正在处理中，请稍后重试以获取其结果。
idempotency-key-reused = 该 Idempotency-Key 在 24 小时内已用于另一请求（{ $method } { $path }），新的请求请使用新的 Idempotency-Key。
idempotency-key-lost = 使用该 Idempotency-Key 的请求已执行，但结果未能保存（服务中途停止），请查询相关事项，不要重复提交。
