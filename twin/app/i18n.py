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
    "cluster_worst": ("聚合点颜色＝其中最严重状态", "Clusters: colour of the worst inside"),
    "officer": ("网格员", "Grid officer"),
    "population": ("人口", "Population"),
    "households": ("户数", "Households"),
    "incidents": ("事件总数", "Incidents"),
    "open": ("在办事件", "Open cases"),
    "overdue": ("超期事件", "Overdue"),
    "open_severity_1": ("在办一级事件", "Open severity-1"),
    "incidents_window": ("窗口内新增事件", "New in the window"),
    "new_window": ("窗口内新增", "Reported in window"),
    "closed_window": ("窗口内办结", "Closed in window"),
    "window": ("时间窗口", "Window"),
    "window_24h": ("近24小时", "Last 24 hours"),
    "window_7d": ("近7天", "Last 7 days"),
    "window_30d": ("近30天", "Last 30 days"),
    "window_custom": ("自定义", "Custom"),
    "window_range": ("{first}至{last}", "{first} to {last}"),
    "start_date": ("开始日期", "Start date"),
    "end_date": ("结束日期", "End date"),
    "trend_days": ("每日事件（按类别）· {window}", "Cases per day by category · {window}"),
    "trend_hours": ("每小时事件（按类别）· {window}", "Cases per hour by category · {window}"),
    "new_today": ("今日新增", "New today"),
    "closed_today": ("今日办结", "Closed today"),
    "median_handling": ("处置时长中位数", "Median handling time"),
    "on_time_rate": ("按时办结率", "Closed on time"),
    "cameras": ("摄像头", "Cameras"),
    "camera_online_rate": ("摄像头在线率", "Cameras online"),
    "sensor_status_alarm": ("告警传感器", "Sensors in alarm"),
    "sensors": ("传感器", "Sensors"),
    "composite": ("综合状态", "Overall status"),
    # colour-by: derived figures, groups, the alert outline; the trend's partial day
    "cases_per_officer": ("网格员人均在办事件", "Open cases per officer"),
    "cases_per_1000": ("每千人在办事件", "Open cases per 1,000 residents"),
    "area_km2": ("面积（平方公里）", "Area (km²)"),
    "density": ("人口密度（人/平方公里）", "Density (residents/km²)"),
    "group_status": ("综合", "Overall"),
    "group_population": ("人口与面积", "Population and area"),
    "alert_outline": ("粗边框 = 告警", "Heavy outline = alert"),
    "today_partial": ("今日（截至目前）", "Today so far"),
    "hour_partial": ("本小时（截至目前）", "This hour so far"),
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
    # The wall's clock, freshness watchdog, changes against yesterday and pinned cases.
    "vs_yesterday": ("{d} vs 昨日", "{d} vs yesterday"),
    "interrupted": ("数据中断 {s} 秒", "Data interrupted {s} s"),
    "offline": (
        "与服务器的连接已断开，恢复后自动更新",
        "Connection to the server lost: the page catches up when it returns",
    ),
    "pinned": ("待分派", "Not dispatched"),
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
    # The hotspot page (issue 10).
    "hot_title": ("热点分析", "Hotspot analysis"),
    "window_90d": ("近90天", "Last 90 days"),
    "window_all": ("全部", "All time"),
    "f_layer": ("图层", "Layer"),
    "f_category": ("类别", "Category"),
    "f_source": ("来源", "Source"),
    "f_severity": ("等级", "Severity"),
    "f_status": ("状态", "Status"),
    "status_all": ("全部", "All"),
    "status_open": ("在办", "Open"),
    "f_unit": ("分析单元", "Unit of analysis"),
    "f_hex": ("六边形边距（米）", "Hexagon size (m)"),
    "hex_mesh": ("六边形网格", "Hexagon mesh"),
    "f_view": ("视图", "View"),
    "view_classes": ("热点/冷点", "Hot and cold spots"),
    "view_density": ("核密度", "Density"),
    "view_emerging": ("新兴趋势", "Emerging trends"),
    "view_coverage": ("摄像头覆盖", "Camera coverage"),
    "class_hot_99": ("热点 99%", "Hot spot 99%"),
    "class_hot_95": ("热点 95%", "Hot spot 95%"),
    "class_hot_90": ("热点 90%", "Hot spot 90%"),
    "class_none": ("不显著", "Not significant"),
    "class_cold_90": ("冷点 90%", "Cold spot 90%"),
    "class_cold_95": ("冷点 95%", "Cold spot 95%"),
    "class_cold_99": ("冷点 99%", "Cold spot 99%"),
    "island": ("孤立单元", "Island"),
    "class_island": ("孤立单元（无相邻单元）{n} 个", "Islands (no neighbour): {n}"),
    "count": ("数量", "Count"),
    "hot_list": ("当前热点（按 z 值）", "Current hotspots (by z)"),
    "hot_none": ("没有显著热点", "No significant hotspot"),
    "hot_summary": (
        "{units} 个单元 · {points} 个点 · 热点 {hot} · 冷点 {cold} · 孤立 {islands}"
        " · 单元外 {outside}",
        "{units} units · {points} points · {hot} hot · {cold} cold · {islands} islands"
        " · {outside} outside",
    ),
    "hot_cases": ("热点内的事件", "Cases inside the hotspot"),
    "hot_open_unit": ("打开单元页", "Open the unit page"),
    "hot_pending": ("分析尚未就绪：{what}", "Analysis not available yet: {what}"),
    "hot_mix": ("类别构成", "Category mix"),
    "hot_trend": ("趋势", "Trend"),
    "hot_cameras": ("可见的摄像头", "Cameras that see it"),
    "covered_share": ("摄像头覆盖率", "Covered by cameras"),
    "emg_new": ("新增热点", "New hot spot"),
    "emg_consecutive": ("连续热点", "Consecutive hot spot"),
    "emg_intensifying": ("加剧热点", "Intensifying hot spot"),
    "emg_persistent": ("持续热点", "Persistent hot spot"),
    "emg_diminishing": ("减弱热点", "Diminishing hot spot"),
    "emg_sporadic": ("零星热点", "Sporadic hot spot"),
    "emg_oscillating": ("振荡热点", "Oscillating hot spot"),
    "emg_historical": ("历史热点", "Historical hot spot"),
    "emg_new_cold": ("新增冷点", "New cold spot"),
    "emg_consecutive_cold": ("连续冷点", "Consecutive cold spot"),
    "emg_intensifying_cold": ("加剧冷点", "Intensifying cold spot"),
    "emg_persistent_cold": ("持续冷点", "Persistent cold spot"),
    "emg_diminishing_cold": ("减弱冷点", "Diminishing cold spot"),
    "emg_sporadic_cold": ("零星冷点", "Sporadic cold spot"),
    "emg_oscillating_cold": ("振荡冷点", "Oscillating cold spot"),
    "emg_historical_cold": ("历史冷点", "Historical cold spot"),
    "emg_none": ("无模式", "No pattern"),
    "wall_hotspots": ("当前热点（近30天）", "Current hotspots (30 days)"),
    "bad_filter": ("筛选条件无效：{why}", "A filter is not valid: {why}"),
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
