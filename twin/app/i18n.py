"""The UI's message catalog: every label in zh-CN and en."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "title": {"zh-CN": "网格化治理数字孪生", "en": "Grid governance digital twin"},
    "click_a_grid": {
        "zh-CN": "点击地图上的网格查看状态",
        "en": "Click a grid on the map to see its status",
    },
    "officer": {"zh-CN": "网格员", "en": "Grid officer"},
    "population": {"zh-CN": "人口", "en": "Population"},
    "households": {"zh-CN": "户数", "en": "Households"},
    "incidents": {"zh-CN": "事件总数", "en": "Incidents"},
    "open": {"zh-CN": "在办事件", "en": "Open"},
    "overdue": {"zh-CN": "超期事件", "en": "Overdue"},
    "open_severity_1": {"zh-CN": "在办一级事件", "en": "Open severity-1"},
    "cameras": {"zh-CN": "摄像头", "en": "Cameras"},
    "camera_online_rate": {"zh-CN": "摄像头在线率", "en": "Cameras online"},
    "sensor_status_alarm": {"zh-CN": "告警传感器", "en": "Sensors in alarm"},
    "sensors": {"zh-CN": "传感器", "en": "Sensors"},
    "green": {"zh-CN": "正常", "en": "Normal"},
    "yellow": {"zh-CN": "关注", "en": "Watch"},
    "red": {"zh-CN": "告警", "en": "Alert"},
    "reason_overdue": {"zh-CN": "有超期事件", "en": "overdue cases"},
    "reason_open_severe": {"zh-CN": "有在办一级事件", "en": "open severity-1 case"},
    "reason_sensor_alarm": {"zh-CN": "传感器告警", "en": "sensors in alarm"},
    "reason_open": {"zh-CN": "在办事件多", "en": "many open cases"},
    "reason_camera_offline": {"zh-CN": "摄像头离线多", "en": "cameras offline"},
    "not_found": {"zh-CN": "未找到该网格", "en": "No such grid"},
}


def t(key: str, lang: str) -> str:
    """The message for key in lang (zh-CN when the language lacks it)."""
    entry = MESSAGES[key]
    return entry.get(lang) or entry["zh-CN"]
