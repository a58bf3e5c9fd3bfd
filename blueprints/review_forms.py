"""Forms of the review consoles (issue 6): search, opinions and reasons, the committee's tally, 印章管理."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from blueprints.forms import IdNumberField, strip, strip_upper
from models import LEVELS


class SearchForm(FlaskForm):
    """The console's search bar; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    name = StringField("姓名", filters=[strip], validators=[Optional(), Length(max=50)])
    id_number = StringField("身份证号", filters=[strip_upper], validators=[Optional(), Length(max=18)])
    plan = StringField("申报计划", filters=[strip], validators=[Optional(), Length(max=100)])
    series = StringField("申报系列", filters=[strip], validators=[Optional(), Length(max=50)])
    level = SelectField("申报等级", choices=[("", "全部")] + [(level, level) for level in LEVELS],
                        validators=[Optional()])
    status = SelectField("状态", choices=[("", "全部")], validators=[Optional()], validate_choice=False)
    scope = SelectField("范围", choices=[("todo", "待本单位处理"), ("all", "全部")], default="todo",
                        validators=[Optional()])


class OpinionForm(FlaskForm):
    """审核通过/审核不通过, 签章前退回 and 强制驳回: one text box whose label names what is asked."""

    opinion = TextAreaField("审核意见", filters=[strip], validators=[Length(max=500, message="不能超过500字")])


class CommitteeForm(OpinionForm):
    """The committee's decision with the meeting's tally (SPEC §4)."""

    expected = IntegerField("应到人数", validators=[InputRequired("请填写应到人数"), NumberRange(min=1, message="至少为1")])
    present = IntegerField("实到人数", validators=[InputRequired("请填写实到人数"), NumberRange(min=0, message="不能为负数")])
    agree = IntegerField("同意", validators=[InputRequired("请填写同意人数"), NumberRange(min=0, message="不能为负数")])
    against = IntegerField("反对", validators=[InputRequired("请填写反对人数"), NumberRange(min=0, message="不能为负数")])
    abstain = IntegerField("弃权", validators=[InputRequired("请填写弃权人数"), NumberRange(min=0, message="不能为负数")])


class LocateForm(FlaskForm):
    """「找不到申报记录」: the applicant's 身份证号码."""

    class Meta:
        csrf = False

    id_number = IdNumberField("申报人身份证号码")


class GenerateSealForm(FlaskForm):
    """「生成职称专用章」 from the unit name."""

    unit_name = StringField("单位名称", filters=[strip],
                            validators=[DataRequired("请填写单位名称"), Length(max=40, message="最多40个字")])


class UploadSealForm(FlaskForm):
    """「上传印章图片」: PNG or JPG."""

    image = FileField("印章图片")


class OpinionSealForm(FlaskForm):
    """「生成意见」: the 审核意见 text."""

    text = TextAreaField("意见内容", filters=[strip],
                         validators=[DataRequired("请填写意见内容"), Length(max=200, message="最多200字")])


class PublicityForm(FlaskForm):
    """「公示信息」 of a 工作单位: 公示时间 and 公示意见."""

    time = StringField("公示时间", filters=[strip],
                       validators=[DataRequired("请填写公示时间"), Length(max=60, message="最多60字")])
    opinion = TextAreaField("公示意见", filters=[strip],
                            validators=[DataRequired("请填写公示意见"), Length(max=200, message="最多200字")])
