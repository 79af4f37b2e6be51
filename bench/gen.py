#!/usr/bin/env python3
"""Deterministic rows for bench/gen (issue 9): one county's 行政处罚 cases or
执法人员 as CSV for `fazhi import`, on stdout.

  gen.py cases SEED COUNTY_INDEX FIRST_NO COUNT YEAR UNIT_IDS [--history]
  gen.py officers SEED COUNTY_INDEX COUNT YEAR UNIT_IDS
  gen.py pool SEED COUNTY_INDEX FIRST_NO COUNT YEAR UNIT_IDS
    (cases, all 待立案: the cases bench/run's durable transitions file)

UNIT_IDS is a comma-separated list; rows go round-robin over it. The same
arguments always give the same bytes (random.Random(seed, county)).

Cases: about 40 % are decided and in a state the 公示 step starts from, with
the fields it needs (decided_on, decision, legal_basis …), so `fazhi import
--publish 1` publishes them; 8 % are 待立案 (registered) with violation_on
inside the limitation period, so they can be 立案 (filed) later. Dates are
in YEAR, not after today.

--history: each case also carries the dates of the steps its state implies,
for `fazhi import --history 1` (one case.history event each): 告知日期 (with
已告知听证权利) and the step-date columns 立案日期, 调查取证日期, 提交法制审核日期,
法制审核通过日期 (重大 cases), 提请决定日期, 执行完毕日期, 结案日期, 归档日期, or
the step that closed an undecided case (不予立案/撤案/移送/柔性执法办结日期).
They come from a second random stream, so the other columns are the same
bytes as without --history; a step falls between 发现日期 and 决定日期 in
order (the existing 送达/缴纳 dates are kept as they were). About 6.7 history
events a case on average: with case.imported and the 40 % published, ~8.1
events a case (~40M for 5M cases).
"""
import datetime
import random
import sys

SURNAMES = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎'
GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志永兴红玉春海'
COMPANY = ['商贸有限公司', '餐饮店', '建材经营部', '运输有限公司', '加油站', '农资店', '装饰工程有限公司',
           '食品加工厂', '药店', '养殖场', '五金店', '网吧', '宾馆', '砂石场', '汽车修理厂']
# (violation code, facts, legal basis): the terms bench/run searches for are
# in some of these and not in others.
VIOLATIONS = [
    ('SC-01', '未取得食品经营许可从事食品经营活动', '《中华人民共和国食品安全法》第一百二十二条'),
    ('SC-02', '经营超过保质期的食品', '《中华人民共和国食品安全法》第一百二十四条'),
    ('HB-01', '夜间施工产生噪声污染干扰周边居民正常生活', '《中华人民共和国噪声污染防治法》第七十七条'),
    ('HB-02', '未采取防尘措施露天堆放砂石', '《中华人民共和国大气污染防治法》第一百一十七条'),
    ('HB-03', '通过暗管排放水污染物', '《中华人民共和国水污染防治法》第八十三条'),
    ('SC-03', '无证经营成品油', '《无证无照经营查处办法》第十三条'),
    ('JT-01', '货运车辆超限运输', '《公路安全保护条例》第六十四条'),
    ('JT-02', '未取得道路运输经营许可擅自从事道路运输经营', '《中华人民共和国道路运输条例》第六十三条'),
    ('YJ-01', '未按规定配备灭火器材', '《中华人民共和国消防法》第六十条'),
    ('YJ-02', '生产经营单位未按规定开展安全生产教育培训', '《中华人民共和国安全生产法》第九十七条'),
    ('ZR-01', '未经批准占用耕地建房', '《中华人民共和国土地管理法》第七十七条'),
    ('ZR-02', '非法采砂', '《中华人民共和国矿产资源法》第三十九条'),
    ('NY-01', '销售假农药', '《农药管理条例》第五十五条'),
    ('WS-01', '未取得医疗机构执业许可证擅自执业', '《医疗机构管理条例》第四十三条'),
    ('WH-01', '网吧接纳未成年人', '《互联网上网服务营业场所管理条例》第三十一条'),
    ('SC-04', '虚假宣传', '《中华人民共和国反不正当竞争法》第二十条'),
]
SOURCES = ['监督检查', '投诉举报', '上级交办', '有关部门移送', '媒体曝光', '其他']
CIRCUMSTANCES = ['减轻', '从轻', '一般', '一般', '从重']
METHODS = ['直接送达', '留置送达', '邮寄送达', '电子送达']
# (state, weight, decided?) over 100 cases.
STATES = [('registered', 8, 0), ('investigating', 10, 0), ('informed', 4, 0), ('reviewing', 3, 0), ('ready', 3, 0),
          ('decided', 5, 1), ('executing', 8, 1), ('executed', 7, 1), ('closed', 10, 1), ('archived', 10, 1),
          ('closed', 32, 0)]
STATE_TABLE = [s for s in STATES for _ in range(s[1])]


def idcard(rng, area):
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 50))
    body = f'{area}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}'
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + '10X98765432'[sum(int(c) * k for c, k in zip(body, w)) % 11]


def day(rng, year, last):
    """A day of YEAR up to last (a date)."""
    start = datetime.date(year, 1, 1)
    span = max(1, (min(last, datetime.date(year, 12, 31)) - start).days + 1)
    return start + datetime.timedelta(days=rng.randrange(span))


def person(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else '')


# Step-date columns written with --history (fazhi import: "<动作名称>日期").
STEP_COLS = ['立案日期', '调查取证日期', '提交法制审核日期', '法制审核通过日期', '提请决定日期', '执行完毕日期',
             '结案日期', '归档日期', '不予立案日期', '撤案日期', '移送日期', '柔性执法办结日期']
UNDECIDED_END = ['不予立案日期', '撤案日期', '移送日期', '柔性执法办结日期']


def history(hr, state, decided, major, disc, dday, paid, last):
    """(告知日期, {step column: date}) for a case in state: the steps its state
    implies, in order between discovered_on and decided_on (or a span of
    their own for undecided cases)."""
    steps = {}
    if state == 'registered':
        return '', steps
    if state == 'closed' and not decided:
        end = hr.choice(UNDECIDED_END)
        if end == '不予立案日期':
            steps[end] = min(last, disc + datetime.timedelta(days=hr.randrange(1, 8)))
            return '', steps
        dday = min(last, disc + datetime.timedelta(days=hr.randrange(20, 90)))
    elif not decided:  # still open: its steps so far, within the 90-day handling time
        dday = min(last, disc + datetime.timedelta(days=hr.randrange(10, 90)))
    span = max(0, (dday - disc).days)
    at = lambda f: disc + datetime.timedelta(days=int(span * f))  # noqa: E731
    steps['立案日期'] = at(0.05)
    steps['调查取证日期'] = at(0.2)
    if state == 'closed' and not decided:
        steps[end] = at(1.0)
        return '', steps
    if state == 'investigating':
        return '', steps
    informed = at(0.55)
    if state in ('reviewing', 'ready') or decided:
        if major:
            steps['提交法制审核日期'] = at(0.7)
            if state != 'reviewing':
                steps['法制审核通过日期'] = at(0.85)
        elif state != 'reviewing':
            steps['提请决定日期'] = at(0.8)
    if state in ('executed', 'closed', 'archived'):
        steps['执行完毕日期'] = paid
    if state in ('closed', 'archived'):
        steps['结案日期'] = min(last, paid + datetime.timedelta(days=hr.randrange(1, 15)))
    if state == 'archived':
        steps['归档日期'] = min(last, steps['结案日期'] + datetime.timedelta(days=hr.randrange(1, 30)))
    return informed.isoformat(), steps


def cases(seed, county, first_no, count, year, units, pool=False, hist=False):
    rng = random.Random(seed * 1000003 + county)
    hr = random.Random(seed * 1000003 + county + 13)  # the history's own stream
    today = datetime.date.today()
    last = min(today, datetime.date(year, 12, 31))
    area = '532624'
    out = sys.stdout
    out.write('编号,状态,单位编号,party,source,facts,violation_code,violation_on,discovered_on,circumstance,'
              'major_case,review_opinion,decision,decision_no,decided_on,fine,legal_basis,served_on,'
              'service_method,paid_on,paid_amount' + (',informed_on,hearing_notified,' + ','.join(STEP_COLS) if hist else '')
              + '\n')
    for i in range(count):
        no = first_no + i
        state, _, decided = ('registered', 0, 0) if pool else rng.choice(STATE_TABLE)
        code, facts, basis = rng.choice(VIOLATIONS)
        if rng.random() < 0.5:
            party = person(rng) + ('|' + idcard(rng, area) if rng.random() < 0.5 else '')
        else:
            party = rng.choice('东西南北中') + rng.choice(GIVEN) + rng.choice(COMPANY)
        vday = day(rng, year, last)
        if state == 'registered':  # filed later: within the two-year limitation period
            vday = last - datetime.timedelta(days=rng.randrange(0, 60))
        major = rng.random() < 0.1
        row = [f'县{county + 1}{"池" if pool else ""}罚〔{year}〕{no}号', state, str(units[i % len(units)]), party, rng.choice(SOURCES),
               f'当事人{facts}，经查属实（第{no}号）', code, vday.isoformat(),
               min(last, vday + datetime.timedelta(days=rng.randrange(0, 10))).isoformat(),
               rng.choice(CIRCUMSTANCES) if state != 'registered' else '', '是' if major else '否',
               '', '', '', '', '', '', '', '', '', '']
        if major and state in ('reviewing', 'ready') or major and decided:
            row[11] = '同意' if rng.random() < 0.85 else ('修改后同意' if rng.random() < 0.7 else '')
        if decided:
            dday = min(last, vday + datetime.timedelta(days=rng.randrange(5, 80)))
            fine = rng.choice([200, 500, 1000, 2000, 5000, 10000, 20000, 50000])
            row[12:17] = ['处罚', f'县{county + 1}罚决字〔{year}〕{no}号', dday.isoformat(), str(fine), basis]
            if state != 'decided':
                row[17:19] = [min(last, dday + datetime.timedelta(days=rng.randrange(0, 5))).isoformat(),
                              rng.choice(METHODS)]
            if state in ('executed', 'closed', 'archived'):
                row[19:21] = [min(last, dday + datetime.timedelta(days=rng.randrange(1, 15))).isoformat(), str(fine)]
        if hist:
            disc = datetime.date.fromisoformat(row[8])
            dday = datetime.date.fromisoformat(row[14]) if decided else disc
            paid = datetime.date.fromisoformat(row[19]) if row[19] else dday
            informed, steps = history(hr, state, decided, major, disc, max(disc, dday), paid, last)
            row += [informed, '是' if informed else ''] + [steps[c].isoformat() if c in steps else '' for c in STEP_COLS]
        out.write(','.join(row) + '\n')


def officers(seed, county, count, year, units):
    rng = random.Random(seed * 1000003 + county + 7)
    fields = ['市场监管', '生态环境', '交通运输', '应急管理', '自然资源', '农业农村', '卫生健康', '文化旅游', '综合执法']
    out = sys.stdout
    out.write('name,unit,cert_no,cert_field,cert_issued_on,cert_expires_on,cert_status\n')
    for i in range(count):
        issued = datetime.date(year - rng.randrange(0, 5), rng.randrange(1, 13), rng.randrange(1, 29))
        out.write(f'{person(rng)},{units[i % len(units)]},53{county:04d}{i:06d},{rng.choice(fields)},'
                  f'{issued.isoformat()},{issued.replace(year=issued.year + 5).isoformat()},'
                  f'{"有效" if rng.random() < 0.95 else "注销"}\n')


if __name__ == '__main__':
    a = sys.argv[1:]
    if not a or a[0] in ('-h', '--help'):
        print(__doc__)
        sys.exit(0)
    hist = '--history' in a
    a = [x for x in a if x != '--history']
    units = [int(u) for u in a[-1].split(',')]
    if a[0] == 'cases':
        cases(int(a[1]), int(a[2]), int(a[3]), int(a[4]), int(a[5]), units, hist=hist)
    elif a[0] == 'pool':
        cases(int(a[1]), int(a[2]), int(a[3]), int(a[4]), int(a[5]), units, pool=True)
    elif a[0] == 'officers':
        officers(int(a[1]), int(a[2]), int(a[3]), int(a[4]), units)
    else:
        sys.exit('gen.py: cases | officers')
