#!/usr/bin/env python3
"""Writes seeds/calendar/<year>.json: China's statutory holidays (法定节假日) and make-up
workdays (调休上班) for each year the source covers.

Source: the PyPI package `chinesecalendar` (import name `chinese_calendar`), which follows
the State Council's yearly notices. Regenerate after a new notice:

    pip install -U chinesecalendar && python3 seeds/calendar/generate.py
"""
import datetime
import json
import pathlib

import chinese_calendar
from importlib.metadata import version

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
}

out = pathlib.Path(__file__).parent
source = f"PyPI chinesecalendar {version('chinesecalendar')} (State Council holiday notices)"
years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
for year in (y for y in years if y >= 2020):
    holidays = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        on, name = chinese_calendar.get_holiday_detail(day)
        # Only holidays that take a working day off matter; weekends are off anyway.
        if name is not None and day.weekday() < 5:
            holidays.append({"date": day.isoformat(), "name": NAMES.get(name, name)})
        day += datetime.timedelta(days=1)
    workdays = sorted(
        d.isoformat() for d in chinese_calendar.workdays if d.year == year and d.weekday() >= 5
    )
    doc = {"year": year, "source": source, "holidays": holidays, "workdays": workdays}
    (out / f"{year}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    print(year, len(holidays), "holidays,", len(workdays), "make-up workdays")
