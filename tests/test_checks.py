"""Check digits of 身份证号码 (GB 11643) and 统一社会信用代码 (GB 32100), with the reference examples."""
import pytest

import seed
from models import credit_code_error, id_facts, id_number_error


@pytest.mark.parametrize("value", ["11010519491231002X", "440524188001010014", "360426199101010071",
                                   "150102199001011230", "150402197806304417", "11010519491231002x"])
def test_valid_id_numbers(value):
    assert id_number_error(value) is None


@pytest.mark.parametrize("value, reason", [
    ("11010519491231002Y", "格式不正确"),
    ("110105194912310021", "校验位错误"),
    ("150102199002301234", "出生日期不存在"),
    ("15010219900101123", "应为18位"),
    ("150102299001011234", "出生日期"),
])
def test_invalid_id_numbers(value, reason):
    assert reason in id_number_error(value)


def test_id_facts_derive_birth_date_and_gender():
    born, gender = id_facts("150402197806304417")
    assert (born.isoformat(), gender) == ("1978-06-30", "男")
    assert id_facts("11010519491231002X")[1] == "女"


@pytest.mark.parametrize("value", ["91350100M000100Y43", "91110000600037341L", "12150000MB1234562H",
                                   "11150000115000019G", "91350100m000100y43"])
def test_valid_credit_codes(value):
    assert credit_code_error(value) is None


@pytest.mark.parametrize("value, reason", [
    ("91350100M000100Y44", "校验位错误"),
    ("9135010OM000100Y43", "不允许的字符:O"),
    ("91350100M000100Y4", "应为18位"),
])
def test_invalid_credit_codes(value, reason):
    assert reason in credit_code_error(value)


def test_builders_produce_valid_codes():
    assert id_number_error(seed.make_id_number("150122", "19900101", 123)) is None
    assert credit_code_error(seed.make_credit_code("91", "150122", "MA0TKT001")) is None
