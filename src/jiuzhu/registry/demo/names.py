"""Chinese names for demo people: common surnames weighted roughly by frequency, given names of
one or two characters with the usual sex-typical characters, and an older or newer style by birth
decade so a grandmother is not called 梓涵."""

from __future__ import annotations

import random

#: Common surnames by rough relative weight (the first few cover about a third of people).
SURNAMES_BY_WEIGHT = {
    72: "王", 71: "李", 68: "张", 54: "刘", 46: "陈", 34: "杨", 25: "黄", 21: "赵吴",
    20: "周", 18: "徐", 16: "孙", 15: "马朱", 14: "胡", 13: "郭", 12: "何林高", 11: "罗",
    10: "郑梁", 9: "谢", 8: "宋唐许韩", 7: "冯邓曹", 6: "彭曾肖田董", 5: "潘袁蔡蒋余于杜叶",
    4: "程魏苏吕丁任卢姚沈钟", 3: "姜崔谭陆范汪廖石金韦贾夏付方",
    2: "邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万钱严",
    1: "覃武戴莫孔向常葛殷翟濮仇芮柏缪笪",
}  # fmt: skip
_SURNAME_LIST = [s for chars in SURNAMES_BY_WEIGHT.values() for s in chars]
_SURNAME_WEIGHTS = [w for w, chars in SURNAMES_BY_WEIGHT.items() for _ in chars]

#: Given-name characters by sex and era (born before 1975 / from 1975 on).
GIVEN = {
    ("M", "old"): "国建华明德文军平志伟海春林永成强福荣宝富贵忠祥金山根生发兴庆桂胜利洪",
    ("M", "new"): "浩宇轩子涵俊杰博文晨阳泽睿航鹏辉磊涛鑫然豪哲昊瑞凯诚逸毅锐翔",
    ("F", "old"): "秀英兰芳桂珍玉凤霞红梅丽萍敏华琴云莲娟芬淑慧美翠菊琳玲荣月素",
    ("F", "new"): "欣怡梓涵诗琪雨萱佳雯思婷悦馨可心语嘉琳晓静雪颖婧瑶妍彤蕾璐倩",
}


def surname(rng: random.Random, *, avoid: str = "") -> str:
    """A weighted surname, different from ``avoid`` (spouses rarely share one)."""
    while True:
        name = rng.choices(_SURNAME_LIST, _SURNAME_WEIGHTS)[0]
        if name != avoid:
            return name


def given_name(rng: random.Random, *, sex: str, birth_year: int) -> str:
    """One or two characters; two-character names are more common for the young."""
    era = "old" if birth_year < 1975 else "new"
    pool = GIVEN[(sex, era)]
    two = rng.random() < (0.6 if era == "old" else 0.8)
    first = rng.choice(pool)
    if not two:
        return first
    second = rng.choice(pool)
    return first + second if second != first or rng.random() < 0.3 else first + rng.choice(pool)
