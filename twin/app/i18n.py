"""The UI's message catalog (zh-CN and en) and the number, date and duration formats."""

from __future__ import annotations

from datetime import date, datetime
from math import isnan
from zoneinfo import ZoneInfo

LANGS = ("zh-CN", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (zh-CN, en)
    "title": ("网格化治理数字孪生", "Grid governance digital twin"),
    "nav_cockpit": ("指挥驾驶舱", "Cockpit"),
    "nav_screen": ("大屏", "Wall screen"),
    "nav_hotspots": ("热点分析", "Hotspots"),
    "nav_planner": ("网格规划", "Planner"),
    "coming": ("即将推出", "coming"),
    "search": ("搜索网格编号或名称…", "Search a grid by code or name…"),
    "metric": ("着色指标", "Colour by"),
    "level": ("层级", "Level"),
    "level_auto": ("随缩放", "By zoom"),
    "district": ("区", "District"),
    "street": ("街道", "Street"),
    "community": ("社区", "Community"),
    "grid": ("网格", "Grid"),
    "city": ("全市", "City"),
    "layers": ("图层", "Layers"),
    "officer": ("网格员", "Grid officer"),
    "population": ("人口", "Population"),
    "households": ("户数", "Households"),
    "incidents": ("事件总数", "Incidents"),
    "open": ("在办事件", "Open cases"),
    "overdue": ("超期事件", "Overdue"),
    "open_severity_1": ("在办一级事件", "Open severity-1"),
    "incidents_7d": ("近7天新增事件", "New in 7 days"),
    "new_today": ("今日新增", "New today"),
    "closed_today": ("今日办结", "Closed today"),
    "median_handling": ("处置时长中位数", "Median handling time"),
    "on_time_rate": ("按时办结率", "Closed on time"),
    "cameras": ("摄像头", "Cameras"),
    "camera_online_rate": ("摄像头在线率", "Cameras online"),
    "sensor_status_alarm": ("告警传感器", "Sensors in alarm"),
    "sensors": ("传感器", "Sensors"),
    "composite": ("综合状态", "Overall status"),
    "green": ("正常", "Normal"),
    "yellow": ("关注", "Watch"),
    "red": ("告警", "Alert"),
    "no_data": ("无数据", "No data"),
    "reason_overdue": ("有超期事件", "overdue cases"),
    "reason_open_severe": ("有在办一级事件", "open severity-1 case"),
    "reason_sensor_alarm": ("传感器告警", "sensors in alarm"),
    "reason_open": ("在办事件多", "many open cases"),
    "reason_camera_offline": ("摄像头离线多", "cameras offline"),
    "not_found": ("未找到编号为 {code} 的网格", "No grid has the code {code}"),
    "window_note": ("近{days}天", "last {days} days"),
    "trend": ("近30天每日事件（按类别）", "Cases per day, last 30 days, by category"),
    "incident_list": ("事件列表", "Cases"),
    "children": ("下级排名", "Ranking of its units"),
    "attention": ("最需关注的网格", "Grids needing attention most"),
    "feed": ("最新重大事件", "Newest serious cases"),
    "age": ("已历时", "Age"),
    "time_to_due": ("距期限", "Time to due"),
    "reasons": ("原因", "Why"),
    "updated": ("更新于 {time}", "Updated {time}"),
    "tour": ("巡屏", "Tour"),
    "takeover": ("新增一级事件", "New severity-1 case"),
    "unassigned": ("网格外", "Outside grids"),
    "name": ("名称", "Name"),
    "code": ("编号", "Code"),
    "status": ("状态", "Status"),
    "last_seen": ("最后在线", "Last seen"),
    "hours": ("{n} 小时", "{n} h"),
    "days_hours": ("{d}天{h}小时", "{d} d {h} h"),
    "overdue_by": ("超期 {d}", "overdue {d}"),
    "score": ("关注度", "Score"),
    "scope_open": ("在办", "Open"),
    "scope_archived": ("已结案", "Archived"),
    "scope_all": ("全部", "All"),
    "case_count": ("共 {n} 件", "{n} cases"),
    "case_count_one": ("共 {n} 件", "{n} case"),
    "no_cases": ("没有符合筛选条件的事件", "No case matches these filters"),
    "lang_switch": ("English", "中文"),
    "shown_of": ("共 {total}，显示故障优先的 {shown} 个", "{shown} of {total}, faults first"),
    # Dash's dropdowns carry English words of their own; these replace them.
    "dd_select_all": ("全选", "Select all"),
    "dd_deselect_all": ("全不选", "Deselect all"),
    "dd_selected_count": ("已选 {num_selected} 项", "{num_selected} selected"),
    "dd_search": ("搜索", "Search"),
    "dd_clear_search": ("清除搜索", "Clear search"),
    "dd_clear_selection": ("清除选择", "Clear selection"),
    "dd_no_options_found": ("无匹配项", "No matches"),
}


# AG Grid's own words (its pager, loading and empty overlays, filter menus), by its locale keys.
GRID_TEXT: dict[str, tuple[str, str]] = {
    # The pager reads "{page} 1 {of} 9" and "1 {to} 15 {of} 200": one "of" serves both.
    "page": ("页码", "Page"),
    "of": ("共", "of"),
    "to": ("至", "to"),
    "more": ("更多", "more"),
    "pageLastRowUnknown": ("?", "?"),
    "firstPage": ("首页", "First page"),
    "previousPage": ("上一页", "Previous page"),
    "nextPage": ("下一页", "Next page"),
    "lastPage": ("末页", "Last page"),
    "pageSizeSelectorLabel": ("每页：", "Page size:"),
    "ariaPageSizeSelectorLabel": ("每页条数", "Page size"),
    "loadingOoo": ("加载中…", "Loading…"),
    "loadingError": ("加载失败", "Failed to load"),
    "noRowsToShow": ("没有记录", "No rows to show"),
    "ariaSortableColumn": ("按回车排序", "Press Enter to sort"),
    "filterOoo": ("筛选…", "Filter…"),
    "searchOoo": ("搜索…", "Search…"),
    "equals": ("等于", "Equals"),
    "notEqual": ("不等于", "Does not equal"),
    "contains": ("包含", "Contains"),
    "notContains": ("不包含", "Does not contain"),
    "startsWith": ("开头是", "Begins with"),
    "endsWith": ("结尾是", "Ends with"),
    "blank": ("为空", "Blank"),
    "notBlank": ("不为空", "Not blank"),
    "lessThan": ("小于", "Less than"),
    "greaterThan": ("大于", "Greater than"),
    "inRange": ("介于", "Between"),
    "andCondition": ("且", "AND"),
    "orCondition": ("或", "OR"),
    "applyFilter": ("应用", "Apply"),
    "resetFilter": ("重置", "Reset"),
    "clearFilter": ("清除", "Clear"),
    "cancelFilter": ("取消", "Cancel"),
}


def t(key: str, lang: str, **values: object) -> str:
    """The message for key in lang, with {names} filled in."""
    zh, en = MESSAGES[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def dropdown_labels(lang: str) -> dict[str, str]:
    """The words inside a dropdown (its search box, select-all, no matches) in lang."""
    keys = (
        "select_all",
        "deselect_all",
        "selected_count",
        "search",
        "clear_search",
        "clear_selection",
        "no_options_found",
    )
    # {num_selected} is filled by the dropdown itself, so it is passed through unformatted.
    return {k: MESSAGES[f"dd_{k}"][1 if lang == "en" else 0] for k in keys}


def grid_locale(lang: str) -> dict[str, str]:
    """AG Grid's localeText in lang (its pager, overlays and filter menus)."""
    return {k: v[1 if lang == "en" else 0] for k, v in GRID_TEXT.items()}


def other_lang(lang: str) -> str:
    """The language the header switch leads to."""
    return "zh-CN" if lang == "en" else "en"


def fmt_number(value: float | int | None, lang: str, rate: bool = False) -> str:
    """A count with thousands separators, a rate as a percentage, missing as a dash."""
    if value is None or (isinstance(value, float) and isnan(value)):
        return "–"
    if rate:
        return f"{value:.1%}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def fmt_hours(hours: float | None, lang: str) -> str:
    """A duration given in hours: under two days in hours, else days and hours."""
    if hours is None or isnan(hours):
        return "–"
    if abs(hours) < 48:
        return t("hours", lang, n=f"{hours:.1f}")
    whole = round(hours)
    return t("days_hours", lang, d=whole // 24, h=whole % 24)


def fmt_datetime(value: datetime | None, lang: str, tz: str) -> str:
    """A moment in the local zone: 11月26日 08:05 or Nov 26 08:05 (none, NaT: a dash)."""
    if value is None or value != value:  # NaT, as pandas gives a missing time, is not itself
        return "–"
    local = value.astimezone(ZoneInfo(tz))
    if lang == "en":
        return local.strftime("%b %d %H:%M")
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def fmt_day(value: date, lang: str) -> str:
    """A day on a chart axis: 11-26 (both languages read it)."""
    return f"{value.month:02d}-{value.day:02d}" if lang == "en" else f"{value.month}/{value.day}"
