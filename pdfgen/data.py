"""The record dict every pdfgen generator takes, and a realistic sample of it.

Keys (all optional unless marked; missing text prints as an empty cell):

- ``record_id`` (int, required), ``version`` (int, required: the form version, bumped
  whenever the printed content changes).
- ``code`` (str): the 编码 to print.  When absent it is computed with
  ``form_code(record_id, form, version, secret)`` from ``secret`` (str or bytes), so the
  review, submission and blind forms each carry their own code.  One of the two is required.
- ``plan_name``, ``plan_type`` (申报类型, e.g. 社会化).
- ``name``, ``former_name``, ``id_number``, ``gender``, ``birth_date`` ("YYYY-MM-DD"),
  ``ethnicity``, ``political_status``, ``phone``.
- ``photo``: image bytes (JPEG/PNG) or None.
- ``unit_name``, ``unit_nature``, ``supervisor_name`` (上级主管单位), ``hr_dept_name``
  (单位所在人社部门), ``work_start`` (参加工作时间, "YYYY-MM" or "YYYY-MM-DD").
- ``education`` (参评学历), ``education_cert_no``, ``degree``, ``school``, ``major``, ``graduation``.
- ``current_title``: {series, specialty, level, name, obtained}; ``declared``: {series,
  specialty, level, name}; ``practice_specialty`` (现从事专业).
- ``education_history``: [{start, end, school, major, degree}]
- ``work_history``: [{start, end, unit, position}]
- ``qualifications`` (专业技术资格, 评的证): [{name, series, level, obtained, issuer, cert_no}]
- ``certificates`` (执业(职业)资格, 考的证): [{name, level, obtained, issuer, cert_no}]
- ``achievements_text``: 主要专业技术工作业绩, free text of any length (newlines kept).
- ``summary``: 送审表 业绩简介; defaults to ``achievements_text``.
- ``papers``: [{title, journal, date, role}]; ``books``: [{title, publisher, date, role}]
- ``awards``: [{name, level, date, rank}]; ``projects``: [{name, source, date, role}];
  ``patents``: [{name, number, date, role}]
- ``dedupe`` (bool): leave out experience/archive rows that repeat an earlier row (guide 四(八)).
- ``committee``: {expected, present, agree, against, abstain, result} (评审委员会 tally), optional.
- ``fill_date`` ("YYYY-MM-DD", 填表日期).
- ``edits``: values from an accepted Excel upload (``read_form_xlsx``); they override the
  keys of the same name (currently ``achievements_text`` and ``summary``).
"""

import io

SAMPLE_SECRET = "pdfgen-demo-secret"


def sample_photo():
    """Return a small generated ID-photo JPEG (blue background, head and shoulders)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (330, 440), (67, 142, 219))
    draw = ImageDraw.Draw(img)
    draw.ellipse((40, 300, 290, 560), fill=(40, 44, 52))
    draw.rectangle((140, 240, 190, 320), fill=(236, 200, 170))
    draw.ellipse((95, 90, 235, 270), fill=(240, 205, 175))
    draw.chord((90, 70, 240, 200), 180, 360, fill=(30, 30, 30))
    draw.polygon([(140, 320), (165, 380), (190, 320)], fill=(245, 245, 245))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


_ACHIEVEMENT = (
    "本人自参加工作以来,长期从事电力系统继电保护与自动化专业技术工作,"
    "先后主持或参与了呼和浩特地区220千伏变电站综合自动化改造、配电网故障自愈系统建设等重点工程。"
    "在某220千伏变电站改造工程中,负责保护配置方案设计与定值整定计算,提出了分段闭锁的改进方案,"
    "使故障隔离时间由原来的1.2秒缩短至0.3秒,该成果获盟市科技进步二等奖。"
    "组织编写了《配电自动化终端调试作业指导书》,在全盟推广使用,累计培训专业技术人员300余人次。"
    "近五年在国内核心期刊发表论文4篇,获得实用新型专利1项,主持完成科研项目2项,"
    "所负责的工程项目均一次通过验收,未发生因技术原因造成的安全事故。"
)


def _long_text(n_chars):
    parts = []
    i = 1
    while sum(len(p) for p in parts) < n_chars:
        parts.append(f"{i}、" + _ACHIEVEMENT)
        i += 1
    text = "\n".join(parts)
    return text[:n_chars - 4] + "(完)。"


def sample_record(n_items=20, long_text=False):
    """Return a realistic record dict with a photo and n_items archive items."""
    education = [
        {"start": "2004-09", "end": "2008-07", "school": "内蒙古工业大学", "major": "电气工程及其自动化", "degree": "工学学士"},
        {"start": "2008-09", "end": "2011-07", "school": "华北电力大学", "major": "电力系统及其自动化", "degree": "工学硕士"},
        {"start": "2001-09", "end": "2004-07", "school": "呼和浩特市第二中学", "major": "无", "degree": "无"},
    ]
    work = [
        {"start": "2011-07", "end": "2014-12", "unit": "内蒙古电力(集团)有限责任公司呼和浩特供电分公司", "position": "继电保护专责"},
        {"start": "2015-01", "end": "2018-06", "unit": "内蒙古电力(集团)有限责任公司呼和浩特供电分公司", "position": "变电运维班班长"},
        {"start": "2018-07", "end": "2021-12", "unit": "呼和浩特电力勘察设计有限公司", "position": "二次设计室主任"},
        {"start": "2022-01", "end": "至今", "unit": "呼和浩特电力勘察设计有限公司", "position": "总工程师"},
        {"start": "2019-03", "end": "2019-09", "unit": "国网能源研究院(借调)", "position": "课题组成员"},
    ]
    quals = [
        {"name": "助理工程师", "series": "工程", "level": "助理级", "obtained": "2012-12", "issuer": "呼和浩特市人力资源和社会保障局", "cert_no": "NMG2012ZL00318"},
        {"name": "工程师", "series": "工程", "level": "中级", "obtained": "2016-12", "issuer": "内蒙古自治区人力资源和社会保障厅", "cert_no": "NMG2016ZJ02217"},
    ]
    certs = [
        {"name": "注册电气工程师(供配电)", "level": "", "obtained": "2017-10", "issuer": "住房和城乡建设部", "cert_no": "DG1715002231"},
        {"name": "一级建造师(机电工程)", "level": "一级", "obtained": "2019-09", "issuer": "内蒙古自治区住房和城乡建设厅", "cert_no": "蒙1152019201900831"},
    ]
    papers = [
        {"title": "基于分段闭锁的配电网故障快速隔离方法研究", "journal": "电力系统保护与控制", "date": "2019-05", "role": "第一作者"},
        {"title": "220kV变电站综合自动化改造中的二次回路优化", "journal": "电气技术", "date": "2020-08", "role": "第一作者"},
        {"title": "高寒地区配电自动化终端可靠性分析", "journal": "内蒙古电力技术", "date": "2021-11", "role": "独著"},
        {"title": "新能源接入对地区电网继电保护的影响及对策", "journal": "电网技术", "date": "2023-03", "role": "第二作者"},
    ]
    books = [{"title": "配电自动化终端调试作业指导书", "publisher": "中国电力出版社", "date": "2020-12", "role": "主编"}]
    awards = [{"name": "呼和浩特市科学技术进步奖", "level": "二等奖", "date": "2020-10", "rank": "第1名"}]
    projects = [{"name": "配电网故障自愈系统关键技术研究与应用", "source": "内蒙古电力公司科技项目", "date": "2021-2023", "role": "项目负责人"}]
    patents = [{"name": "一种配电终端防凝露装置", "number": "ZL202120345678.9", "date": "2022-03", "role": "第一发明人"}]
    lists = {"education_history": education, "work_history": work, "qualifications": quals,
             "certificates": certs, "papers": papers, "books": books, "awards": awards,
             "projects": projects, "patents": patents}
    total = sum(len(v) for v in lists.values())
    # Grow or shrink the archive to n_items, keeping every section non-empty where possible.
    while total > n_items:
        key = max(lists, key=lambda k: len(lists[k]))
        lists[key].pop()
        total -= 1
    i = 0
    while total < n_items:
        i += 1
        papers.append({"title": f"变电站二次系统运维技术探讨(之{i})", "journal": "内蒙古电力技术", "date": "2024-0%d" % (1 + i % 9), "role": "第一作者"})
        total += 1
    return {
        "record_id": 1024,
        "version": 3,
        "secret": SAMPLE_SECRET,
        "plan_name": "2025年内蒙古自治区社会化高级职称申报计划(试运行)",
        "plan_type": "社会化",
        "name": "张晓东",
        "former_name": "张东",
        "id_number": "150102198506154312",
        "gender": "男",
        "birth_date": "1985-06-15",
        "ethnicity": "蒙古族",
        "political_status": "中共党员",
        "phone": "13947112345",
        "photo": sample_photo(),
        "unit_name": "呼和浩特电力勘察设计有限公司",
        "unit_nature": "国有企业",
        "supervisor_name": "呼和浩特市国有资产监督管理委员会",
        "hr_dept_name": "呼和浩特市人力资源和社会保障局",
        "work_start": "2011-07",
        "education": "研究生",
        "education_cert_no": "100791201102001234",
        "degree": "工学硕士",
        "school": "华北电力大学",
        "major": "电力系统及其自动化",
        "graduation": "2011-07",
        "current_title": {"series": "工程", "specialty": "电力工程", "level": "中级", "name": "工程师", "obtained": "2016-12"},
        "declared": {"series": "工程", "specialty": "电力工程", "level": "副高级", "name": "高级工程师"},
        "practice_specialty": "电力系统继电保护",
        **lists,
        "achievements_text": _long_text(3000) if long_text else _ACHIEVEMENT,
        "summary": None,
        "dedupe": True,
        "committee": None,
        "fill_date": "2025-07-10",
        "edits": {},
    }
