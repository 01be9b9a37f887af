"""The texts `outreach new` and `outreach init` write (string.Template: $name is filled in).

Every field gets a commented hint. The files must build as written: tests/test_new_init.py builds
each of them.
"""
from __future__ import annotations

SKELETONS = {
    "vi": {
        "post": """\
---
# Tiêu đề bài viết (bắt buộc).
title: $title
# Ngày giờ đăng (bắt buộc), giờ Việt Nam: NĂM-THÁNG-NGÀY GIỜ:PHÚT, hoặc NGÀY/THÁNG/NĂM GIỜ:PHÚT.
# Bài có ngày giờ trong tương lai chỉ được đăng khi đã tới lúc đó.
date: $date $time
# Bài nháp thì chưa được đăng. Xem trước bằng lệnh "outreach serve";
# khi bài đã sẵn sàng, xoá dòng dưới đây.
draft: true
# Tóm tắt một hai câu, hiện trong danh sách tin và khi chia sẻ lên Facebook, Zalo
# (nếu bỏ trống, đoạn văn đầu tiên được dùng):
# summary: "..."
# Từ khoá, cách nhau bằng dấu phẩy, và chuyên mục:
# tags: [hiến máu, tình nguyện]
# category: Tin hoạt động
# author: Ban biên tập
# Ảnh đại diện: chép tệp ảnh vào content/media/ rồi ghi tên tệp. Khi có ảnh thì phải có
# image_alt: một câu tả nội dung ảnh cho người không nhìn thấy được.
# image: media/ten-tep-anh.jpg
# image_alt: "Đoàn viên thanh niên xếp hàng chờ hiến máu"
# Bài viết về một đợt hiến máu: ghi tên tệp của đợt đó trong content/events/, bỏ đuôi .yaml.
# event: 2026-12-05-ngay-hoi-hien-mau
# Địa chỉ của bài được tạo từ tiêu đề; chỉ ghi dòng này khi muốn đặt địa chỉ khác:
# slug: hien-mau-thang-12
---
Viết nội dung bài ở đây. Để một dòng trống giữa hai đoạn văn.

<!--
Mẹo (phần chú thích này không hiện trên trang, có thể xoá):
- In đậm: **chữ đậm**; tiêu đề mục: một dòng bắt đầu bằng "## ".
- Liên kết tới bài, trang hoặc đợt hiến máu khác bằng tên tệp của nó:
  [điều kiện hiến máu](../pages/dieu-kien-hien-mau.md)
- Chèn ảnh (chép ảnh vào content/media/ trước), luôn kèm lời tả trong ngoặc vuông:
  ![Người dân xếp hàng hiến máu](../media/ten-tep-anh.jpg)
- Không ghi số điện thoại, số CCCD của người hiến máu.
-->
""",
        "event": """\
# Một đợt hiến máu. Tên tệp (bỏ đuôi .yaml) là mã của đợt: bài viết và danh sách vinh danh
# ghi mã này ở dòng "event:". Thay mọi chữ CẦN ĐIỀN bằng thông tin thật: cho tới khi đó,
# mỗi lần tạo trang công cụ sẽ nhắc.
# Tên đợt hiến máu (bắt buộc).
title: $title
# Bắt đầu và kết thúc (bắt buộc), giờ Việt Nam: NĂM-THÁNG-NGÀY GIỜ:PHÚT.
start: $date 07:30
end: $date 11:30
# Địa điểm: tên và địa chỉ (bắt buộc); map là đường dẫn bản đồ (không bắt buộc).
venue:
  name: "CẦN ĐIỀN: tên nơi hiến máu"
  address: "CẦN ĐIỀN: địa chỉ"
  # map: https://maps.app.goo.gl/...
# Các đơn vị tổ chức:
# organizers: [Công an tỉnh, Tỉnh Đoàn, Hội Chữ thập đỏ tỉnh]
# Trạng thái: scheduled (theo kế hoạch), postponed (hoãn), cancelled (huỷ).
status: scheduled
# Chỉ tiêu, tính bằng đơn vị máu:
# target_units: 250
# Đường dẫn tới mẫu đăng ký hiến máu. Nếu không cần đăng ký trước, ghi: registration: ""
# registration: https://...
# Liên hệ công khai của ban tổ chức (không ghi số của người hiến máu):
# contact: {name: "Ban tổ chức", phone: "0204 000 0000"}
# Ảnh: chép vào content/media/; image_alt tả nội dung ảnh (bắt buộc khi có ảnh).
# image: media/ten-tep-anh.jpg
# image_alt: "Hội trường nơi tổ chức hiến máu"
# Sau đợt hiến máu, điền kết quả: số người hiến và số đơn vị máu.
# results: {donors: 200, units: 200}
# Giới thiệu đợt hiến máu (Markdown): ai có thể tham gia, cần chuẩn bị gì. Giữ hai dấu cách
# ở đầu mỗi dòng.
description: |
  CẦN ĐIỀN: giới thiệu đợt hiến máu.
""",
        "page": """\
---
# Tiêu đề trang (bắt buộc).
title: $title
# Trang nháp thì chưa được đăng. Xem trước bằng lệnh "outreach serve";
# khi trang đã sẵn sàng, xoá dòng dưới đây.
draft: true
# Tóm tắt một câu (không bắt buộc):
# summary: "..."
# Nếu đây là trang "Điều kiện hiến máu" mà mọi đợt hiến máu sắp tới cần liên kết tới, ghi:
# eligibility: true
# Địa chỉ của trang được tạo từ tiêu đề; chỉ ghi dòng này khi muốn đặt địa chỉ khác:
# slug: gioi-thieu
---
Viết nội dung trang ở đây. Để một dòng trống giữa hai đoạn văn; tiêu đề mục là một dòng
bắt đầu bằng "## ".
""",
    },
    "en": {
        "post": """\
---
# Title of the post (required).
title: $title
# Date and time of publication (required), in the site's time zone: YYYY-MM-DD HH:MM.
# A post dated in the future is published only once that time has come.
date: $date $time
# A draft is not published. Preview it with "outreach serve"; delete the next line when the
# post is ready.
draft: true
# One or two sentences shown in news lists and when shared (else the first paragraph):
# summary: "..."
# Tags, separated by commas, and a category:
# tags: [blood donation, volunteers]
# category: News
# author: Editorial team
# Cover image: copy the file into content/media/ and write its name. An image needs
# image_alt: a sentence describing it for people who cannot see it.
# image: media/picture.jpg
# image_alt: "Volunteers queueing to give blood"
# A post about a drive: the drive's file name in content/events/, without .yaml.
# event: 2026-12-05-blood-drive
# The address is made from the title; write this line only to choose another one:
# slug: december-drive
---
Write the post here. Leave an empty line between paragraphs.

<!--
Tips (this comment is not shown on the site; you may delete it):
- Bold: **bold words**; a section heading: a line starting with "## ".
- Link to another post, page or drive by its file name: [who can give](../pages/eligibility.md)
- Insert a picture (copy it into content/media/ first), always with a description:
  ![People queueing to give blood](../media/picture.jpg)
- Never write donors' phone or ID numbers.
-->
""",
        "event": """\
# One blood drive. The file name (without .yaml) is the drive's id: posts and recognition
# lists write it in their "event:" line. Replace every TO FILL IN with the real information:
# until then, every build reminds you.
# Name of the drive (required).
title: $title
# Start and end (required), in the site's time zone: YYYY-MM-DD HH:MM.
start: $date 07:30
end: $date 11:30
# Venue: name and address (required); map is a link to a map (optional).
venue:
  name: "TO FILL IN: the venue"
  address: "TO FILL IN: its address"
  # map: https://maps.app.goo.gl/...
# Organisers:
# organizers: [Red Cross, Youth Union]
# Status: scheduled, postponed or cancelled.
status: scheduled
# Target, in units of blood:
# target_units: 250
# Link to the sign-up form. If donors just come without signing up, write: registration: ""
# registration: https://...
# The organisers' public contact (never a donor's number):
# contact: {name: "Organisers", phone: "0204 000 0000"}
# Picture: copy it into content/media/; image_alt describes it (required with an image).
# image: media/picture.jpg
# image_alt: "The hall where the drive takes place"
# After the drive, fill in the results: donors and units collected.
# results: {donors: 200, units: 200}
# About the drive (Markdown): who can come, what to bring. Keep two spaces at the start of
# each line.
description: |
  TO FILL IN: about the drive.
""",
        "page": """\
---
# Title of the page (required).
title: $title
# A draft is not published. Preview it with "outreach serve"; delete the next line when the
# page is ready.
draft: true
# One sentence about the page (optional):
# summary: "..."
# If this is the "who can give blood" page every upcoming drive should link to, write:
# eligibility: true
# The address is made from the title; write this line only to choose another one:
# slug: about
---
Write the page here. Leave an empty line between paragraphs; a section heading is a line
starting with "## ".
""",
    },
}

# `outreach init`: a Vietnamese site that builds with no error and no warning.
SITE = {
    ".gitignore": """\
output/
.cache/
""",
    "config.yaml": """\
# Thiết lập của trang web. Bốn dòng đầu (title, base_url, language, timezone) là bắt buộc;
# các dòng khác có thể sửa hoặc xoá. Sau khi sửa, chạy "outreach check" để kiểm tra.

# Tên trang web, hiện ở đầu mọi trang và khi chia sẻ.
title: "Hiến máu tình nguyện"
# Địa chỉ của trang web khi đã đăng lên mạng, kết thúc bằng dấu /.
# Đổi thành địa chỉ thật trước khi đăng.
base_url: https://hienmau.example.vn/
# Ngôn ngữ của trang: vi (tiếng Việt) hoặc en (tiếng Anh). Thông báo lỗi cũng theo ngôn ngữ này.
language: vi
# Múi giờ của mọi ngày giờ ghi trong nội dung.
timezone: Asia/Ho_Chi_Minh
# Một câu giới thiệu trang, hiện trên Google và khi chia sẻ.
description: "Tin tức, lịch hiến máu và bảng vinh danh người hiến máu tình nguyện."
# Đơn vị phụ trách, hiện ở cuối mọi trang. Chỉ ghi thông tin liên hệ công khai.
organization:
  name: "Ban chỉ đạo vận động hiến máu tình nguyện"
  # logo: media/logo.png
  # email: lienhe@hienmau.example.vn
  # phone: "0204 000 0000"
  # facebook: https://www.facebook.com/...
  # zalo: https://zalo.me/...
# Trình đơn ở đầu trang: tên mục và địa chỉ. Địa chỉ của một trang là /tên-không-dấu/,
# ví dụ trang "Giới thiệu" là /gioi-thieu/.
menu:
  - {title: Tin tức, url: /tin-tuc/}
  - {title: Lịch hiến máu, url: /su-kien/}
  - {title: Vinh danh, url: /vinh-danh/}
  - {title: Điều kiện hiến máu, url: /dieu-kien-hien-mau/}
  - {title: Giới thiệu, url: /gioi-thieu/}
# Số bài trên mỗi trang của danh sách tin.
paginate: 10
# Các mốc số lần hiến máu trên bảng vinh danh.
milestones: [5, 10, 20, 30, 40, 50, 70, 100]
""",
    "content/posts/${today}-chao-mung.md": """\
---
title: "Chào mừng đến với trang tin hiến máu tình nguyện"
date: $today
summary: "Bài viết mẫu đầu tiên của trang: hãy sửa lại, hoặc xoá đi khi đã có tin thật."
tags: [hiến máu, tình nguyện]
category: Tin hoạt động
author: Ban biên tập
---
Đây là bài viết mẫu do lệnh `outreach init` tạo ra. Sửa bài này, hoặc xoá tệp đi khi đã có tin
thật. Viết bài mới bằng lệnh:

    outreach new post "Tiêu đề bài viết"

Đợt hiến máu sắp tới: [ngày hội hiến máu tình nguyện](../events/${event_id}.yaml). Trước khi đi
hiến máu, xin đọc [điều kiện hiến máu](../pages/dieu-kien-hien-mau.md).
""",
    "content/events/${event_id}.yaml": """\
# Đợt hiến máu mẫu. Sửa ngày giờ, địa điểm cho đúng, rồi đổi tên tệp cho khớp ngày: tên tệp
# (bỏ đuôi .yaml) là mã của đợt, mà bài viết và danh sách vinh danh ghi ở dòng "event:".
# Tạo đợt mới bằng lệnh: outreach new event "Tên đợt hiến máu"
title: "Ngày hội hiến máu tình nguyện"
start: $drive 07:30
end: $drive 11:30
venue:
  name: "Hội trường Nhà văn hoá tỉnh (ví dụ)"
  address: "Số 1 đường Ví Dụ, phường Mẫu (ví dụ)"
  # map: https://maps.app.goo.gl/...
organizers: [Công an tỉnh, Tỉnh Đoàn, Hội Chữ thập đỏ tỉnh]
# scheduled (theo kế hoạch), postponed (hoãn) hoặc cancelled (huỷ).
status: scheduled
target_units: 200
# Đường dẫn tới mẫu đăng ký hiến máu; "" nghĩa là không cần đăng ký trước, cứ đến là được.
registration: ""
contact: {name: "Ban tổ chức"}
# Sau đợt hiến máu, thêm kết quả (số người hiến, số đơn vị máu):
# results: {donors: 200, units: 200}
description: |
  Mời cán bộ, đoàn viên thanh niên và người dân tham gia ngày hội hiến máu tình nguyện.
  Trước khi đến, xin đọc [điều kiện hiến máu](../pages/dieu-kien-hien-mau.md).

  - Ăn sáng nhẹ, không ăn đồ nhiều dầu mỡ, không uống rượu bia.
  - Mang theo giấy tờ tuỳ thân có ảnh.
""",
    "content/pages/gioi-thieu.md": """\
---
title: "Giới thiệu"
summary: "Về phong trào hiến máu tình nguyện và trang web này."
---
Trang web này đăng tin tức, lịch hiến máu và bảng vinh danh của phong trào hiến máu tình nguyện.
Sửa trang này để giới thiệu đơn vị của bạn.

## Liên hệ

Muốn tổ chức một đợt hiến máu tại cơ quan, trường học hay khu dân cư, xin liên hệ ban tổ chức
qua địa chỉ ở cuối trang.
""",
    "content/pages/dieu-kien-hien-mau.md": """\
---
title: "Điều kiện hiến máu"
summary: "Ai có thể hiến máu và cần chuẩn bị gì."
# Trang này được liên kết từ mọi đợt hiến máu sắp tới.
eligibility: true
---
Thông tin dưới đây để tham khảo. Tại điểm hiến máu, nhân viên y tế sẽ khám sàng lọc và quyết
định người hiến có đủ điều kiện hay không.

## Điều kiện cơ bản

- Tuổi từ 18 đến 60, khoẻ mạnh, tự nguyện hiến máu.
- Cân nặng: nam từ 45 kg, nữ từ 42 kg trở lên.
- Lần hiến máu toàn phần trước đó cách ít nhất 12 tuần.

## Trước khi hiến máu

- Ngủ đủ giấc, ăn nhẹ, không uống rượu bia.
- Mang theo giấy tờ tuỳ thân có ảnh.
""",
    "content/donors/_mau-vinh-danh.yaml": """\
# MẪU danh sách vinh danh. Tệp có tên bắt đầu bằng dấu _ không được đăng.
# Để dùng: chép tệp này thành một tệp có tên không bắt đầu bằng dấu _ (ví dụ ${year}-giay-khen.yaml)
# rồi sửa lại.
#
# Quyền riêng tư, xin đọc kỹ:
# - Chỉ người có "consent: true" mới được nêu tên. Chỉ ghi true khi chính người đó đã đồng ý
#   công khai tên (tốt nhất là bằng văn bản, lưu lại ở đơn vị).
# - Người chưa đồng ý vẫn được đếm ("và 3 người khác") nhưng không bao giờ hiện tên.
# - Không ghi số điện thoại, số CCCD/CMND, địa chỉ, ngày sinh hay nhóm máu: công cụ sẽ báo lỗi
#   để những thông tin đó không bao giờ bị đăng lên mạng.
title: "Cá nhân được tặng Giấy khen năm $year"
award: Giấy khen
date: $today
# Đợt hiến máu liên quan (tên tệp trong content/events/, bỏ đuôi .yaml); không bắt buộc:
# event: $event_id
description: "Những cá nhân có thành tích tiêu biểu trong phong trào hiến máu tình nguyện."
people:
  # name: họ tên; unit: đơn vị; donations: số lần đã hiến máu; consent: true khi đã đồng ý nêu tên.
  - {name: "Nguyễn Văn A", unit: "Đơn vị A", donations: 12, consent: true}
  - {name: "Trần Thị B", unit: "Đơn vị B", donations: 3}   # chưa đồng ý: chỉ được đếm
""",
    "content/media/.gitkeep": "",
}
