# zhenggai's messages in English. One entry per message: `id = text`, with { $name } for
# what the service fills in. The ids are the code's; change only the text to the right of
# `=`. Plural forms: { $count -> [one] … *[other] … }. Keep the same entries as zh-CN.ftl.

## Refusals (403): who may do what
refusal-read_units = You may not read the unit directory.
refusal-create_unit = Only an administrator may create or change units.
refusal-read_inspections = You may not read this inspection.
refusal-write_inspection = Only the office may record or change inspections.
refusal-read_findings = You may not read this finding.
refusal-write_finding = Only the office may file, change or reassign findings.
refusal-read_measures = You may not read this measure.
refusal-create_measure = Only the finding's responsible unit or the office may add measures.
refusal-edit_measure = Only the finding's responsible unit or the office may change a measure.
refusal-start_measure = Only the lead unit or the finding's responsible unit may start a measure.
refusal-report_progress = Only the lead unit, a supporting unit or the finding's responsible unit may report progress.
refusal-upload_evidence = Only the lead unit, a supporting unit or the finding's responsible unit may upload evidence.
refusal-withdraw_evidence = Only the lead unit or the finding's responsible unit may withdraw evidence.
refusal-submit_measure = Only the lead unit or the finding's responsible unit may ask for closure.
refusal-request_extension = Only the lead unit or the finding's responsible unit may ask for an extension.
refusal-endorse_measure = Only a leader over the measure's lead unit may endorse its closure request.
refusal-verify_measure = Only the office may verify and close measures.
refusal-return_measure = Only the office or a leader over the lead unit may return a closure request.
refusal-remind_measure = Only the office or a supervisor may send a reminder.
refusal-supervise_finding = Only the office or a supervisor may list a finding for supervision or take it off.
refusal-recheck_measure = Only the office or a supervisor may re-check a closed measure.
refusal-reopen_measure = Only the office or a supervisor may reopen a closed measure.
refusal-work_finding = Only the finding's responsible unit may claim it and submit its plan.
refusal-review_plan = Only the office may approve or return a plan.
refusal-decide_extension = Only the office may decide extension requests.
refusal-verify_audit = Only an administrator, the office or a supervisor may check the audit trail.
refusal-manage_webhooks = Only an administrator or the office may manage webhooks.
refusal-manage_people = Only an administrator or the office may keep the people directory.
refusal-read_duties = You may not read this duty.
refusal-write_duty = Only the office or an administrator may set up or change duties.
refusal-record_activity = Only the unit's staff, its leaders or the office may record the unit's activities.
refusal-manage_activity_kinds = Only the office or an administrator may add activity kinds.
refusal-hand_over = Only the office, an administrator or a leader over the lead unit may record a handover.
refusal-distinct_endorser = The one who asked for closure cannot also endorse it; a second person must.
refusal-distinct_verifier-submitter = The one who asked for closure cannot also verify it; a second person must.
refusal-distinct_verifier-endorser = The one who endorsed the closure request cannot also verify it; a third person must.
refusal-named_endorser = This measure's accountable leader is { $named }; only they (or whoever a handover made accountable) may endorse it.

## Wrong state (409)
wrong-state-measure = This measure is “{ $current }”, so “{ $action }” cannot be done; { $count ->
        [0] nothing can be done now.
       *[other] what can be done now: { $allowed }.
    }
wrong-state-finding = This finding is “{ $current }”, so “{ $action }” cannot be done; { $count ->
        [0] nothing can be done now.
       *[other] what can be done now: { $allowed }.
    }

## Names of states, kinds and actions inside messages. The Chinese names are the
## labels the code gives them (src/domain/enums.rs, src/domain/workflow.rs).
SourceType-xunshi = inspection tour (xunshi)
SourceType-xuncha = inspection (xuncha)
SourceType-audit = audit
SourceType-supervision = supervision
SourceType-assessment = assessment
SourceType-self_review = self-review
RecheckResult-holds = holds
RecheckResult-relapsed = relapsed
HolderRole-accountable_leader = accountable leader
HolderRole-responsible_person = responsible person
Category-political_leadership = political leadership
Category-party_building = Party building
Category-strict_governance = strict governance
Category-business = business work
Level-general = general
Level-key = key
SupervisionLevel-normal = normal
SupervisionLevel-listed = listed for supervision
FindingStatus-assigned = assigned
FindingStatus-claimed = claimed
FindingStatus-plan_submitted = plan submitted
FindingStatus-in_progress = in progress
FindingStatus-long_term = long-term (stage completed)
FindingStatus-closed = closed
ExtensionStatus-pending = pending
ExtensionStatus-approved = approved
ExtensionStatus-rejected = rejected
MeasureKind-immediate = immediate
MeasureKind-time_bound = time-bound
MeasureKind-long_term = long-term
MeasureStatus-not_started = not started
MeasureStatus-in_progress = in progress
MeasureStatus-submitted = closure requested
MeasureStatus-endorsed = endorsed
MeasureStatus-closed = closed
MeasureStatus-ongoing = ongoing (long-term)
ReportCycle-monthly = monthly
ReportCycle-quarterly = quarterly
ReportCycle-semiannual = half-yearly
ReportCycle-annual = yearly
QuotaPeriod-month = month
QuotaPeriod-quarter = quarter
QuotaPeriod-half_year = half-year
QuotaPeriod-year = year
Warning-green = green
Warning-yellow = yellow
Warning-red = red
MeasureAction-start = start
MeasureAction-report = report progress
MeasureAction-submit = ask for closure
MeasureAction-endorse = endorse
MeasureAction-verify = verify and close
MeasureAction-return = return
MeasureAction-reopen = reopen
FindingAction-claim = claim
FindingAction-submit_plan = submit the plan
FindingAction-approve_plan = approve the plan
FindingAction-return_plan = return the plan

## Titles: the HTTP status, told
title-400 = Bad Request
title-401 = Unauthorized
title-403 = Forbidden
title-404 = Not Found
title-405 = Method Not Allowed
title-406 = Not Acceptable
title-408 = Request Timeout
title-409 = Conflict
title-410 = Gone
title-412 = Precondition Failed
title-413 = Content Too Large
title-414 = URI Too Long
title-415 = Unsupported Media Type
title-416 = Range Not Satisfiable
title-422 = Unprocessable Content
title-429 = Too Many Requests
title-431 = Request Header Fields Too Large
title-500 = Internal Server Error
title-503 = Service Unavailable
title-507 = Insufficient Storage

## General problems
internal = An internal error occurred; it has been logged.
invalid-fields = The request has invalid fields.
method-not-allowed = { $method } is not allowed here.
sheet-problems = The sheet has { $count } { $count ->
        [one] problem
       *[other] problems
    }; nothing was imported.
bad-param = Invalid query parameter `{ $field }`: { $why }
not-found = Not found.
conflict-same-code = An item with the same code already exists.
conflict-reference = The item refers to, or is referred to by, another item.
conflict-concurrent = A concurrent change interfered; please retry.
unavailable-disk-full = The database's disk is full; nothing was written.
unavailable-connection-lost = The database connection was lost; retry.
unavailable-database = The database is not available right now.
unavailable-query-timeout = The query took longer than allowed and was stopped; nothing was changed. Retry later, or narrow the request.
unavailable-busy = Too many expensive requests (statistics, reports, exports) are running or waiting; retry shortly.
uploads-busy = Too many evidence uploads are being received or waiting; retry shortly. Nothing of this one was kept.

## Field values (validation)
length-between = Must be { $min } to { $max } characters long.
length-min = Must be at least { $min } characters long.
length-max = Must be at most { $max } characters long.
range-between = Must be between { $min } and { $max }.
range-min = Must be at least { $min }.
range-max = Must be at most { $max }.
blank = Must not be blank.
invalid-value = Is invalid ({ $code }).

## Rules of the ledger
due-date-needed = A { $kind } measure needs a due date.
due-date-long-term = A long-term measure has no due date; it reports every cycle instead.
due-date-before-feedback = Must not be before the inspection's feedback date { $feedback }.
effective-future = { $day } lies in the future; today is { $today }.
effective-before-feedback = { $day } is before the inspection's feedback date { $feedback }.
effective-before-previous = { $day } is before the previous step ({ $step }, effective { $on }); steps keep their order.
quota-long-term-only = Only a long-term measure carries a quota; this one is { $kind }.
extension-closed = The measure is closed; there is nothing to extend.
extension-no-deadline = A { $kind } measure has no deadline to extend.
extension-not-later = Must be after the current due date { $due }.
extension-passed = { $requested } has already passed; ask for a day from today ({ $today }) on.
supporting-is-lead = The lead unit cannot also be a supporting unit.
supporting-twice = A unit is listed more than once.
period-end-before-feedback = Must not be before feedback_date.

## Request bodies, query strings, paths and headers
body-not-json = The request body must be JSON (Content-Type: application/json).
body-unreadable = Cannot read the request body: { $cause }
body-too-large = The JSON body is larger than { $kib } KiB.
body-empty = The request body is empty; a JSON object is expected.
json-malformed = Malformed JSON at line { $line }, column { $column }: { $reason }.
nul-char = Must not contain the NUL character (U+0000).
if-match-invalid = If-Match must be an ETag this service sent, like "3".
if-match-not-ours = Not an ETag of this service.
query-invalid = Invalid query string.
query-invalid-because = Invalid query string: { $why }
path-invalid = Invalid path parameter: { $cause }
must-be-uuid = Must be a UUID.

## Values as serde reads them
serde-unknown-variant = Unknown value `{ $value }`; { $count ->
        [0] there are no values.
       *[other] expected one of: { $allowed }.
    }
serde-unknown-field = Unknown field `{ $field }`; { $count ->
        [0] there are no fields.
       *[other] the fields are: { $allowed }.
    }
serde-missing-field = Missing field `{ $field }`.
serde-duplicate-field = The field `{ $field }` appears twice.
serde-invalid-type = Invalid type: { $got }, expected { $want }.
serde-invalid-value = Invalid value: { $got }, expected { $want }.
serde-invalid-length = Invalid length { $len }, expected { $want }.
serde-other = { $cause }
date-unreadable = "{ $value }" is not a date; write it as 2026-12-30, 2026/12/30, 2026年12月30日 or 2026年12月底前.
number-invalid = Not a number ({ $cause }).
number-empty = A number is needed ({ $cause }).
number-too-large = The number is too large ({ $cause }).
number-too-small = The number is too small ({ $cause }).
number-not-finite = Not a finite number.
boolean-invalid = Must be true or false.
date-invalid = Not a date like 2022-06-28 ({ $cause }).
date-out-of-range = The date is out of range ({ $cause }).
uuid-invalid = Not a UUID ({ $cause }).

## Uploads and forms
upload-too-large = The file is larger than { $mb } MB (ZHENGGAI_MAX_UPLOAD_MB).
upload-too-large-short = The file is too large.
upload-not-multipart = Send the upload as multipart/form-data with a `file` field.
multipart-malformed = The multipart body is malformed: { $cause }
not-utf8 = Not UTF-8 text.
upload-disk-full = The evidence disk is full; the file was not kept.
storage-unavailable = The evidence storage cannot be reached just now; nothing was kept. Try again shortly.
range-not-satisfiable = The requested range lies outside the file ({ $size } bytes).
upload-disk-nearly-full = The evidence disk is nearly full; the file was not received (the office has been told in the log).
upload-one-file = Send one file per upload.
date-like = A date like 2022-06-28.
form-field-unknown = Unknown form field "{ $field }"; expected { $expected }.
file-required = A file is required.
file-empty = The file is empty.
upload-kind = The file's content is not an accepted kind of evidence (PDF, image, Office or ODF document, ZIP, MP4).
evidence-withdrawn = This evidence was withdrawn; its record stays, the file is no longer served.

## Webhooks
webhook-url-scheme = The URL must start with http:// or https://.
webhook-url-credentials = The URL must not carry credentials.
webhook-url-bracket = The URL's [host] is not closed.
webhook-url-ipv6 = [{ $host }] is not an IPv6 address.
webhook-url-port = "{ $port }" is not a port number.
webhook-url-not-allowed = "{ $host }" is not an allowed webhook target (ZHENGGAI_WEBHOOK_ALLOW).
webhook-event-unknown = "{ $event }" is not an event type; one of { $allowed }.

## Other requests
calendar-year = { $year } is not a year between 1900 and 2999.
unit-id-unknown = No unit has this id.
token-required = A bearer token is required.
no-route = No route for { $method } { $path }.
database-silent = The database does not answer.
storage-silent = The evidence store does not answer within 1 s.
database-slow = The database does not answer within 1 s.
disk-evidence = evidence storage
disk-database = database
disk-low = The { $what } disk has { $free } MB free, below ZHENGGAI_MIN_FREE_MB ({ $min } MB).
cursor-foreign = Not a cursor returned by this list.
cursor-foreign-feed = Not a cursor returned by this feed.
shutting-down = The server is shutting down.
import-one-sheet = Send one sheet per import.
as-of-future = { $day } is still to come (today is { $today }): numbers exist up to today.
rollup-needs-unit = A roll-up of the unit tree works with group_by=unit only.
unit-or-parent = Give unit_id or parent_id, not both.
refusal-read_metrics = Metrics count the whole ledger; use a viewer token.
refusal-read_report = The report covers every unit's items: the office, supervisors and viewers may read it; a unit exports its own ledger.

## Tokens (401)
token-malformed = The token is malformed.
token-expired = The token has expired.
token-not-yet-valid = The token is not valid yet.
token-bad-signature = The token signature is invalid.
token-wrong-algorithm = The token is signed with an algorithm this service does not accept.
token-wrong-issuer = The token was issued by an unexpected issuer.
token-wrong-audience = The token is meant for another audience.
token-missing-claim = The token lacks a required claim: { $claim }.
token-unknown-role = The token's role is not one of admin, office, unit, leader, supervisor, viewer.
token-unit-required = A unit or leader token must name its unit (`unit`, or `units`).
token-critical-extension = The token's header names critical extensions (crit) this service does not understand.
token-too-long-lived = The token is valid for more than 366 days; ask for a shorter-lived one.
token-unit-unknown = The token names a unit that does not exist.
token-required-header = A bearer token is required (Authorization: Bearer <JWT>).
token-several-headers = Send one Authorization header, not several.
token-header-unreadable = The Authorization header is not readable text.
token-not-bearer = The Authorization header must use the Bearer scheme.
token-empty = The Authorization header carries no token.
cursor-foreign-sort = Not a cursor returned by this list with the same sort.

## Sheets (import)
cell-not-date = Not a date.
cell-empty = Empty.
cell-date-unreadable = "{ $value }" is not a date; write it as 2022-12-31.
cell-not-one-of = "{ $value }" is not one of { $allowed }.
sheet-no-header = No header row found: the sheet needs a row naming at least 问题编号 and 整改措施 within its first 20 rows.
sheet-column-missing = The sheet has no { $column } column.
sheet-column-twice = { $column } is named by more than one column.
cell-required = { $column } is required.
cell-due-required = 完成时限 is required unless the measure is 长期坚持.
cell-extension-count = 延期次数 is a whole number from 0 to 99.
sheet-described-differently = Finding { $finding } is described differently in row { $row }.
sheet-other-category = Finding { $finding } has another category in row { $row }.
sheet-duplicate = Duplicate: row { $other } has the same { $column } in finding { $finding }.

## Annual plan sheets
plan-counted = 单位 is 次, 学时 or 名.
plan-period = 周期 is 每月, 每季度, 每半年 or 全年.
plan-per = 对象 is 单位 or 每人.
plan-no-header = No header row with { $columns }.
plan-metric-length = 指标 is 1–200 characters.
plan-min = 最低次数 is a number from 1 to 10000 (不少于X: write X).
plan-persons = 对象 每人 names the persons in 责任人.
plan-times-whole = A number of times is whole.
plan-year = 年度 is a year, e.g. 2026.
plan-kind-unknown = No activity kind has this code or name (GET /api/v1/activity-kinds).
plan-metric-no-kind = 指标 names no activity kind: add a 活动类型 column (GET /api/v1/activity-kinds).


## Items, as messages name them
not-found-item = No such { $what }.
item-unit = unit
item-inspection = inspection
item-finding = finding
item-measure = measure
item-extension = extension request
item-evidence = evidence
item-person = person
item-webhook = webhook
item-duty = duty
item-activity = activity
item-handover = handover
item-other = item
stale-version = The { $what } is at version { $current }, not { $expected }; reload it and retry.

## Writes that collide
concurrent-item = The { $what } was changed concurrently; reload and retry.
activity-kind-exists = The activity kind { $code } already exists.
duty-exists = A duty coded { $code } already exists.
evidence-measure-closed = The measure is closed (已销号); reopen it before adding evidence.
evidence-frozen = This evidence is cited by a closure request and is frozen; it cannot be withdrawn.
extension-decided-concurrently = The request was decided concurrently; reload it.
finding-code-taken = Finding code { $code } is already used in this inspection.
inspection-code-taken = An inspection with code { $code } already exists.
feedback-after-due = { $count } { $count ->
        [one] measure
       *[other] measures
    } of this inspection { $count ->
        [one] is
       *[other] are
    } due before this date.
person-exists = The directory already has an entry for { $sub }; change it with PATCH.
unit-code-taken = A unit with code { $code } already exists.

## Files to import
file-xlsx = an xlsx workbook
file-csv = CSV
xlsx-no-sheet = it has no sheet
csv-encoding = the text is neither UTF-8 nor GB18030
file-unreadable = Cannot read the file as { $what }: { $cause }.
sheet-save-as = { $what } files are not read: save the sheet as an Excel workbook (.xlsx) or as CSV and import that.
xlsx-unpacks-large = The workbook unpacks to { $mb } MB; an import takes at most { $max } MB.
sheet-too-many-rows = The sheet goes beyond row { $max }; an import takes at most { $max } rows.
sheet-too-much-text = The sheet holds more than { $mb } MB of text.
sheet-cell-too-long = Row { $row } column { $column } holds more than { $max } characters, Excel's limit for a cell.
unit-name-ambiguous = Several units are named { $name }; write the unit's code.
unit-name-unknown = No unit is named or coded { $name }.
import-finding-elsewhere = Finding { $finding } belongs to inspection { $other }, not this one; import it there, or export with inspection_id to get one inspection's sheet.
import-status-workflow = The measure is { $current }; 整改状态 changes only through the workflow (申请销号, 销号, 退回…), not by import.
plan-one-unit = 任务 { $code } is { $unit }'s (row { $row }): one 任务编号, one 责任单位.
field-says = { $field }: { $message }
slip-not-closed = A closure slip (对账销号单) exists once the measure is closed (已销号).
export-too-many-rows = More measures than an xlsx sheet holds ({ $max }); narrow the filters or export csv.
synthetic-exists = This database already holds a synthetic ledger; use a fresh DATABASE_URL.
body-too-large-short = The request body is too large.
media-type-unsupported = Unsupported media type.
bad-request = Bad request.

## Findings, measures and their steps
finding-not-claimed = The finding has not been claimed (认领) yet; claim it first.
plan-not-approved = The finding's rectification plan (整改方案) is not approved yet; a time-bound or long-term measure starts once it is (立行立改 measures start at once).
finding-closed-no-measures = The finding is closed (已销号); no measures can be added.
finding-plan-submitted-office-adds = The finding is { $status }; after the plan is submitted only the office adds measures.
plan-needs-measures = A plan needs at least one measure; add the measures first.
refusal-backdate = Only the office or an administrator may enter history late (effective_date).
measure-closed-no-edit = The measure is closed (已销号) and can no longer be edited.
measure-kind-fixed = The kind of a measure can change only before it starts; it is { $status }.
measure-due-fixed = The due date of a measure that is { $status } moves only through an approved extension.
measure-holders-fixed = The measure is { $status }: its accountable leader and responsible person change through a handover (POST /api/v1/handovers, 责任交接), which is recorded.
measure-code-taken = Measure code { $code } is already used in this finding.
measure-id-unknown = No measure has this id.
unit-ids-unknown = No unit has id { $ids }.
person-sub-unknown = No one in the people directory has this login id.
person-sub-unknown-add = No one in the people directory has this login id; add them first (POST /api/v1/people).
evidence-id-unknown = No evidence of this measure has this id.

## Extensions, handovers, oversight
extension-pending = An extension request for this measure is already waiting for a decision.
extension-decided = The request is already { $status }.
extension-closed-meanwhile = The measure was closed meanwhile; there is nothing to extend.
handover-same-person = The successor is the same person as the predecessor.
handover-responsible-by-name = A responsible person (责任人) is recorded by name only; leave out `sub`.
handover-nothing-held = { $name } holds no open measure as { $role } here; nothing to hand over.
handover-measure-closed = Measure { $code } is closed (已销号); its holders are history and stay as they were.
handover-not-held = Measure { $code } is not held by { $name } as { $role }.
remind-closed = The measure is closed (已销号); there is nothing to remind of.
supervision-already = The finding is under listed supervision (挂牌督办) already.
supervision-not = The finding is not under listed supervision (挂牌督办).
recheck-not-closed = Only a closed measure (已销号) is re-checked (回头看); it is { $status }.
recheck-future = { $day } lies in the future; a re-check is recorded once done.
recheck-before-close = The measure was closed on { $closed }; a re-check comes after.

## Duties and activities
duty-no-quota = A duty has at least one quota.
quota-persons-needed = A quota per person names the persons it binds.
quota-persons-unwanted = Persons are named only for a quota per person (`per: person`).
activity-kind-unknown = "{ $kind }" is not an activity kind (GET /api/v1/activity-kinds).
activity-kind-code = A code is 1–64 characters of a–z, 0–9 and _ (e.g. branch_visit).
duty-measure-own = Measure { $measure } keeps its quota in duty { $duty } ({ $year }); change that one (PATCH /api/v1/duties/{ $id }) rather than count it twice.
duty-id-unknown = No duty has this id.
activity-future = { $day } is still to come (today is { $today }): record an activity once it was held.
activity-outside-year = { $day } lies outside the duty's year { $year }.
activity-kind-not-counted = Duty { $duty } counts no activity of kind { $kind }.
person-blank = A person is a login or a name.
person-too-long = A person is a login or a name of at most 100 characters.
activity-withdrawn = The activity is already withdrawn.
withdraw-reason = Say why it is withdrawn (1–2000 characters).
import-due-through-extension = Once a measure has started, its due date moves only through an extension request (it is { $status }).

## Limits
rate-limited = Too many requests: at most { $limit } per { $secs } s for each token; retry after the time Retry-After says.

## Retried requests (Idempotency-Key)
request-too-large = The request body is larger than { $mb } MB.
min-version-bad = X-Zhenggai-Min-Version must be a whole number: the X-Zhenggai-Version a write answered with.
idempotency-key-bad = Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID, for example).
idempotency-key-running = A request with this Idempotency-Key is still being carried out; ask again in a moment to get its answer.
idempotency-key-reused = This Idempotency-Key was used in the last 24 hours for a different request ({ $method } { $path }); use a new key for a new request.
idempotency-key-lost = The request with this Idempotency-Key was carried out, but its answer was not kept (the server stopped in between); look the item up instead of sending it again.
