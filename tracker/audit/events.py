"""The events of the audit log (审计日志), with the label the page shows for each.

| event | recorded when | detail |
|---|---|---|
| `login` | a password is accepted at /login | |
| `login_failed` | a login is refused: wrong password, unknown name, or the account in back-off | `username` tried, `reason` (`password`, `backoff`), `backoff` (whether the account's password is not being checked) — never the password |
| `logout` | 退出 | |
| `password_changed` | someone changes their own password at 修改密码 | |
| `password_set` | the office (or `create-user` from the shell) sets an account's password | `username` |
| `permission_refused` | any 403 of a page or the API | `path`, `method`, `action` (of `access.RULES`, where one was asked) |
| `account_created` | the office (or `create-user`) creates an account | `username`, `role`, `department`, `lead_official` |
| `account_changed` | the office edits an account (or `create-user` changes one) | `username` and each changed field as `[old, new]` (role, department, lead official …) |
| `official_created`, `official_changed` | the office adds a lead official, or edits one: who gets what by which channel | `official` (the name); created: every field; changed: each changed field as `[old, new]` (email, phone, `channels` …) |
| `account_deactivated`, `account_activated` | the office deactivates or activates an account | `username` |
| `token_created`, `token_revoked` | an API token is made or revoked | `username`, `token` (its name) |
| `display_link_created`, `display_link_revoked` | the office makes or revokes a big screen's display link (大屏链接) | `display_link_id`, `prefix`, `name` |
| `import_confirmed` | a project list is imported (the page's confirmation, or `import-projects`) | `filename`, `created`, `updated`, `unchanged`, `rows` |
| `report_reopened`, `report_locked` | the office reopens a locked weekly report, or locks it again | `project`, `week` |
| `photo_added` | a photo is attached to a weekly report (page or API) | `project`, `week`, `photo` (its id), `flags` (the codes found off: `outside_week`, `too_far`, `no_time`, `no_place`) |
| `report_corrected_late` | the office files or corrects a report after the week's cut-off (page or API) | `project`, `week` |
| `notice_published` | a notice of criticism is published (page or API) | `notice`, `number`, `title` |
| `notice_entry_removed`, `notice_entry_restored` | an entry leaves a draft notice, or comes back | `notice`, `project`, `reason` |
| `honours_published` | a quarter's 红旗 and 蜗牛 lists are published | `quarter` |
| `bulletin_published` | the inspector publishes a round's 督查通报 | `bulletin`, `number`, `title` |
| `honour_entry_removed`, `honour_entry_restored` | an entry leaves a draft 红旗/蜗牛 list, or comes back | `quarter`, `project`, `reason` |
| `order_issued`, `order_closed`, `order_reminded` | a supervision order is issued, closed (办结), or pressed (催办) | `order` (its number), `project` |
| `bonds_imported` | the office imports a special-bond batch's list from Excel | `batch`, `filename`, `rows` |
| `bond_spending_recorded` | the office records a spending of a project's special-bond money | `batch`, `project`, `amount`, `spent_on` |
| `lead_landed` | the office turns a landed promotion lead into a key project (转为重点项目) | `lead` (its id), `project` (the new project's code) |
| `backup_made`, `backup_restored` | `python -m tracker backup` / `restore` | `file` |
| `run_forced` | `python -m scheduler run … --force` runs a period not yet ended | `cycle`, `period` |
| `audit_pruned` | the scheduler removes entries older than `[audit] keep_days` | `removed`, `before`, `anchor` (the hash the oldest kept entry follows) |
| `audit_verified` | the whole chain is checked: daily by the scheduler, 全量校验 on the page, `verify-audit` | `broken` (the first bad entry's id, or null), `through` and `hash` (the last entry checked) |
"""

EVENTS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "password_changed": "修改本人密码",
    "password_set": "设置账号密码",
    "permission_refused": "越权访问被拒绝",
    "account_created": "新建账号",
    "account_changed": "修改账号",
    "official_created": "新增包抓领导",
    "official_changed": "修改包抓领导",
    "account_deactivated": "停用账号",
    "account_activated": "启用账号",
    "token_created": "创建 API 令牌",
    "token_revoked": "吊销 API 令牌",
    "display_link_created": "创建大屏链接",
    "display_link_revoked": "吊销大屏链接",
    "import_confirmed": "导入项目清单",
    "report_reopened": "重新开放周报",
    "report_locked": "重新锁定周报",
    "report_corrected_late": "截止后修改周报",
    "photo_added": "上传现场照片",
    "notice_published": "发布通报",
    "notice_entry_removed": "移出通报项目",
    "notice_entry_restored": "恢复通报项目",
    "honours_published": "发布红旗蜗牛名单",
    "bulletin_published": "发布督查通报",
    "honour_entry_removed": "移出红旗蜗牛名单项目",
    "honour_entry_restored": "恢复红旗蜗牛名单项目",
    "order_issued": "下发督办",
    "order_closed": "办结督办",
    "order_reminded": "催办",
    "bonds_imported": "导入专项债券清单",
    "bond_spending_recorded": "登记专项债券支出",
    "lead_landed": "招商项目转为重点项目",
    "backup_made": "备份数据库",
    "backup_restored": "恢复数据库",
    "run_forced": "提前运行调度周期",
    "audit_pruned": "清理过期审计日志",
    "audit_verified": "全量校验审计日志",
}

# How the page names the keys of an entry's detail.
DETAIL_LABELS = {
    "username": "登录名",
    "reason": "原因",
    "backoff": "暂停验证密码",
    "path": "地址",
    "method": "请求方式",
    "action": "操作",
    "role": "角色",
    "display_name": "姓名",
    "department": "部门",
    "lead_official": "包抓领导",
    "email": "邮箱",
    "phone": "电话",
    "official": "包抓领导",
    "channels": "接收渠道",
    "token": "令牌",
    "display_link_id": "大屏链接",
    "prefix": "前缀",
    "name": "名称",
    "filename": "文件",
    "file": "文件",
    "rows": "行数",
    "created": "新增",
    "updated": "更新",
    "unchanged": "无变化",
    "project": "项目",
    "batch": "专项债券批次",
    "amount": "金额（万元）",
    "spent_on": "支出日期",
    "week": "周次",
    "photo": "照片",
    "flags": "标记",
    "notice": "通报",
    "quarter": "季度",
    "number": "编号",
    "title": "标题",
    "order": "督办",
    "lead": "招商项目",
    "cycle": "周期",
    "period": "期次",
    "removed": "删除条数",
    "before": "早于",
    "anchor": "新起点哈希",
    "broken": "断裂于",
    "through": "校验至",
    "hash": "哈希",
}

# The actors that are processes, not accounts.
COMMAND_LINE = "命令行"
SCHEDULER = "调度程序"
