from generator.slugs import slugify


def test_vietnamese_transliteration():
    assert slugify("Hiến máu cứu người – Nghĩa cử cao đẹp") == "hien-mau-cuu-nguoi-nghia-cu-cao-dep"
    assert slugify("Đắk Lắk") == "dak-lak"
    assert slugify("Tỉnh Đoàn Bắc Giang") == "tinh-doan-bac-giang"
    assert slugify("Thông báo: Ngày hội 05/12/2023!") == "thong-bao-ngay-hoi-05-12-2023"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("🩸🩸") == ""
