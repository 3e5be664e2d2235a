"""Plausible Chinese place and person names for the synthetic city."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

DISTRICTS = (
    "东湖区",
    "江城区",
    "南岸区",
    "北塘区",
    "滨江区",
    "高新区",
    "临港区",
    "新城区",
    "金沙区",
    "青山区",
    "桂溪区",
    "云岭区",
    "锦江区",
    "白沙区",
    "龙泉区",
    "翠湖区",
)
STREET_STEMS = (
    "和平",
    "友谊",
    "建设",
    "解放",
    "人民",
    "新华",
    "长江",
    "黄河",
    "光明",
    "幸福",
    "团结",
    "胜利",
    "民主",
    "前进",
    "红旗",
    "东风",
    "朝阳",
    "向阳",
    "江滨",
    "花园",
    "中山",
    "复兴",
    "兴业",
    "文昌",
    "广场",
    "车站",
    "沿河",
    "五一",
    "育才",
    "工农",
    "永安",
    "仁和",
)
COMMUNITY_FIRST = "翠桂兰枫竹梅荷松柳杏桃锦玉金银紫绿青丹碧华瑞嘉和安康宁泰福祥"
COMMUNITY_SECOND = "苑园亭林溪岭塘涛岸坛湾港城庭居坊里台湖山洲"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文辉玉兰海燕鹏飞俊"


WATER_STEMS = ("清水", "青龙", "白沙", "金水", "玉带", "碧波", "月湖", "南湖", "沙河", "府河")


def road_name(rng: np.random.Generator, used: dict[str, int], suffix: str) -> str:
    """A road name (和平路, 解放大道 …): a stem and the class's suffix, numbered when taken
    (和平2路); a ring road (环城路) takes no stem."""
    stem = "" if suffix.startswith("环") else str(rng.choice(STREET_STEMS))
    key = f"{stem}{suffix}"
    used[key] = used.get(key, 0) + 1
    return key if used[key] == 1 else f"{stem}{used[key]}{suffix}"


def water_name(rng: np.random.Generator, suffix: str) -> str:
    """A river's or lake's name (清水河, 南湖 …)."""
    stem = str(rng.choice(WATER_STEMS))
    return stem if stem.endswith(suffix) else f"{stem}{suffix}"


def street_name(rng: np.random.Generator, used: set[str]) -> str:
    """A street (街道) name not yet used."""
    return _unique(rng, used, lambda: f"{rng.choice(STREET_STEMS)}街道", "街道")


def community_name(rng: np.random.Generator, used: set[str]) -> str:
    """A community (社区) name not yet used."""
    return _unique(
        rng,
        used,
        lambda: f"{rng.choice(list(COMMUNITY_FIRST))}{rng.choice(list(COMMUNITY_SECOND))}社区",
        "社区",
    )


def person_name(rng: np.random.Generator) -> str:
    """A grid officer's name."""
    given = "".join(rng.choice(list(GIVEN), size=int(rng.integers(1, 3))))
    return f"{rng.choice(list(SURNAMES))}{given}"


def _unique(rng: np.random.Generator, used: set[str], make: Callable[[], str], suffix: str) -> str:
    for _ in range(20):
        name = make()
        if name not in used:
            used.add(name)
            return str(name)
    # Pools exhausted (metro size): number the stem so names stay unique and readable.
    base = make()[: -len(suffix)]
    n = 2
    while f"{base}{n}{suffix}" in used:
        n += 1
    used.add(f"{base}{n}{suffix}")
    return f"{base}{n}{suffix}"
