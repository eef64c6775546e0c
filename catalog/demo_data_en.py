"""The English of the demo data (issue 8), beside the Chinese records of ``catalog.demo_data``.

A text that appears many times in the Chinese tables (a material such as the household
register, a zone such as the waiting area, a handling method) is translated once here and found
by its Chinese text, so it reads the same on every guide; what belongs to one item (its
conditions, result and steps) is found by the item's code. ``catalog.demo_data`` looks
everything up through ``english`` and ``ITEMS``; a Chinese text without an entry simply has no
English and the pages show the Chinese. ``tests/catalog/test_english.py`` checks that every demo
item's conditions, result and materials and every hall's address and zones have their English.

British spelling throughout ("Centre", "licence", "organisation"), as in the interface.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def english(text: str, table: dict[str, str]) -> str:
    """The English of ``text`` from ``table``; blank for a blank or unknown text."""
    return table.get(text, "") if text else ""


# --- Halls: address and transport, by hall code ------------------------------------------------

HALLS: dict[str, tuple[str, str]] = {
    "GZ-CITY": (
        "406 Huasui Road, Tianhe District, Guangzhou",
        "Metro Lines 3 and 5, Zhujiang New Town station, exit B1, about 10 minutes' walk; "
        "bus stop Huacheng Avenue–Huasui Road",
    ),
    "YX": (
        "183 Xiaobei Road, Yuexiu District, Guangzhou",
        "Metro Line 5, Xiaobei station, exit D, about 5 minutes' walk",
    ),
    "HZ": (
        "168 Jiangnan Avenue Middle, Haizhu District, Guangzhou",
        "Metro Line 2, Jiangnanxi station, exit A, about 8 minutes' walk",
    ),
    "LW": (
        "200 Fangcun Avenue East, Liwan District, Guangzhou",
        "Metro Line 1, Fangcun station, exit C, about 6 minutes' walk",
    ),
    "TH": (
        "638 Huangpu Avenue West, Tianhe District, Guangzhou",
        "Metro Line 5, Liede station, exit C, about 7 minutes' walk",
    ),
    "BY": (
        "530 Yuncheng Road East, Baiyun District, Guangzhou",
        "Metro Line 2, Baiyun Cultural Square station, exit B, about 10 minutes' walk",
    ),
    "HP": (
        "3 Xiangxue 3rd Road, Huangpu District, Guangzhou",
        "Metro Line 6, Xiangxue station, exit A, about 5 minutes' walk",
    ),
    "PY": (
        "319 Qinghe Road East, Shiqiao Subdistrict, Panyu District, Guangzhou",
        "Metro Line 3, Shiqiao station, exit D, about 12 minutes' walk",
    ),
    "HD": (
        "32 Gongyi Road, Xinhua Subdistrict, Huadu District, Guangzhou",
        "Metro Line 9, Huadu Square station, exit B, about 6 minutes' walk",
    ),
    "NS": (
        "1 Fenghuang Avenue, Nansha District, Guangzhou",
        "Metro Line 4, Jiaomen station, exit B, about 10 minutes' walk",
    ),
    "CH": (
        "128 Hebin Road North, Jiekou Subdistrict, Conghua District, Guangzhou",
        "Bus stop Conghua District Government, then about 3 minutes' walk",
    ),
    "ZC": (
        "96 Fuyou Road, Licheng Subdistrict, Zengcheng District, Guangzhou",
        "Metro Line 21, Zengcheng Square station, exit A, about 8 minutes' walk",
    ),
    "TH-LD": (
        "65 Liede Avenue, Tianhe District, Guangzhou",
        "Metro Line 5, Liede station, exit F, about 4 minutes' walk",
    ),
    "YX-BJ": (
        "19 Guangwei Road, Yuexiu District, Guangzhou",
        "Metro Lines 1 and 2, Gongyuanqian station, exit C, about 6 minutes' walk",
    ),
    "HZ-BJ": (
        "288 Binjiang Road East, Haizhu District, Guangzhou",
        "Metro Line 6, Yide Road station, about 15 minutes' walk; bus stop Binjiang Road East",
    ),
    "BY-JX": (
        "35 Jingxi Road, Baiyun District, Guangzhou",
        "Metro Line 3 (northern extension), Jingxi Nanfang Hospital station, exit A, about 5 minutes' walk",
    ),
    "PY-DS": (
        "8 Shibei Industrial Road, Dashi Subdistrict, Panyu District, Guangzhou",
        "Metro Line 3, Dashi station, exit B, about 10 minutes' walk",
    ),
    "ZC-XT": (
        "318 Gangkou Avenue, Xintang Town, Zengcheng District, Guangzhou",
        "Metro Line 13, Xintang station, exit B, about 12 minutes' walk",
    ),
    "TH-LD-01": (
        "18 Liede Road, next to the Liede Village Committee, Tianhe District, Guangzhou",
        "Metro Line 5, Liede station, exit A, about 6 minutes' walk",
    ),
    "ZC-XT-01": (
        "1F, Yaotian Village Cultural Room, Xintang Town, Zengcheng District, Guangzhou",
        "Bus stop Yaotian Village, then about 3 minutes' walk",
    ),
}


# --- Zones: names, locations and descriptions ----------------------------------------------------

ZONES: dict[str, str] = {
    # Names.
    "咨询引导台": "Enquiries and guidance desk",
    "咨询导办台": "Enquiries and assistance desk",
    "导服台": "Guidance desk",
    "综合受理窗口区": "Comprehensive service windows",
    "公安出入境及户政服务区": "Exit-entry and household registration (public security)",
    "不动产登记及税务服务区": "Real estate registration and tax",
    "企业开办专区": "Starting a business",
    "24小时自助服务区": "24-hour self-service area",
    "自助服务区": "Self-service area",
    "服务等候区": "Waiting area",
    "等候区": "Waiting area",
    "“办不成事”反映窗口": "\u201cCan't-get-it-done\u201d window",
    "投诉意见及“好差评”评价点": "Complaints and service rating point",
    "母婴室及爱心服务区": "Nursing room and priority assistance area",
    "综合服务窗口": "Comprehensive service window",
    "自助服务终端": "Self-service terminals",
    # Locations.
    "一楼大堂入口": "1F, lobby entrance",
    "一楼东区": "1F, east wing",
    "二楼西区": "2F, west wing",
    "三楼东区": "3F, east wing",
    "二楼东区": "2F, east wing",
    "一楼西侧（独立出入口）": "1F, west side (separate entrance)",
    "各楼层窗口区对面": "Opposite the windows on each floor",
    "一楼大堂北侧": "1F, north side of the lobby",
    "一楼大堂南侧": "1F, south side of the lobby",
    "一楼东区、二楼": "1F east wing and 2F",
    "一楼、二楼": "1F and 2F",
    "一楼至三楼": "1F to 3F",
    "一楼东区（含港澳服务专区）": "1F, east wing (with a Hong Kong and Macao service corner)",
    "一楼西侧": "1F, west side",
    "一楼中庭": "1F, atrium",
    "一楼大堂服务台旁": "1F, next to the lobby service desk",
    "一楼入口": "1F, entrance",
    "一楼": "1F",
    "一楼东侧": "1F, east side",
    "一楼中部": "1F, centre",
    "导服台旁": "Next to the guidance desk",
    "社区党群服务中心一楼": "1F, community Party and public service centre",
    "服务窗口旁": "Next to the service window",
    "服务窗口对面": "Opposite the service window",
    # Descriptions.
    "取号、业务咨询、帮办代办和预约服务": "Queue tickets, enquiries, assisted and proxy applications, appointments",
    "无差别综合受理：前台综合受理、后台分类审批、综合窗口出件": (
        "One window for every item: applications taken at the front, approved by the departments "
        "behind, results collected at the same windows"
    ),
    "居民身份证、户籍、出入境证件办理": "Identity cards, household registration, exit-entry documents",
    "不动产登记、存量房交易税费申报“一窗办理”": (
        "Real estate registration and second-hand home transaction taxes at one window"
    ),
    "企业设立登记、印章刻制、发票领用、社保和公积金开户一次办结": (
        "Company registration, official seals, invoices, social insurance and provident fund accounts, all in one visit"
    ),
    "社保、医保、公积金、不动产查询打印，证照自助领取": (
        "Look up and print social insurance, medical insurance, provident fund and real estate "
        "records; collect certificates yourself"
    ),
    "设叫号显示屏、饮水点和充电设施": "Queue display screens, drinking water and phone charging",
    "受理办事难、办事慢等问题反映及服务投诉": (
        "Tell us when something could not be done or took too long; service complaints"
    ),
    "为老年人、残疾人、孕妇等提供绿色通道和轮椅借用": (
        "Priority service for older people, people with disabilities and pregnant women; wheelchairs to borrow"
    ),
    "取号、咨询、帮办代办": "Queue tickets, enquiries, assisted and proxy applications",
    "“一窗受理、集成服务”综合窗口": "Comprehensive windows: one window, every service",
    "政务服务一体机、社保卡即时制卡机、证照打印": (
        "Government service kiosks, instant social security card printers, certificate printing"
    ),
    "叫号屏及等候座椅": "Queue display screens and seating",
    "问题反映、投诉及“好差评”回访": "Problems, complaints and follow-up of service ratings",
    "咨询引导、帮办代办": "Enquiries, guidance, assisted and proxy applications",
    "社保、医保、户籍、民政等高频事项综合受理": (
        "Everyday matters of social insurance, medical insurance, household registration and civil affairs"
    ),
    "政务服务一体机、社保自助终端": "Government service kiosks and social insurance self-service terminals",
    "代收代办，帮办服务": "Applications taken and forwarded; help with applications",
    "社保、医保查询打印": "Look up and print social insurance and medical insurance records",
}


# --- Materials: names and notes ------------------------------------------------------------------

MATERIALS: dict[str, str] = {
    "居民户口簿": "Household register (hukou booklet)",
    "监护人居民身份证": "Guardian's resident identity card",
    "数码相片回执": "Digital photo receipt",
    "原居民身份证": "Current resident identity card",
    "姓名、民族等项目变更的户口簿变更页": "Household register page showing the change of name, ethnicity or other details",
    "申请人居民身份证": "Applicant's resident identity card",
    "准予迁入证明或人才引进入户核准通知": "Approval to move in, or talent-introduction household registration approval",
    "迁入地居民户口簿或集体户户主同意入户证明": (
        "Household register at the new address, or consent of the head of the collective household"
    ),
    "迁入地合法固定住所证明（不动产权证书或购房合同）": (
        "Proof of a lawful fixed residence at the new address (title certificate or purchase contract)"
    ),
    "户口迁移证": "Household migration certificate",
    "出生医学证明": "Medical birth certificate",
    "父母双方居民身份证": "Both parents' resident identity cards",
    "父母结婚证": "Parents' marriage certificate",
    "授权委托书及受托人居民身份证": "Power of attorney and the agent's resident identity card",
    "出入境证件数码相片": "Digital photo for exit-entry documents",
    "原往来港澳通行证": "Current exit-entry permit for Hong Kong and Macao",
    "国家工作人员出境审批意见": "Employer's approval for travel abroad (public servants)",
    "原普通护照": "Current ordinary passport",
    "未成年人出生医学证明及监护人身份证件": "Minor's medical birth certificate and the guardian's identity document",
    "赴台事由证明材料": "Proof of the purpose of the visit to Taiwan",
    "机动车所有人身份证明": "Vehicle owner's proof of identity",
    "购车发票": "Vehicle purchase invoice",
    "机动车整车出厂合格证明或进口凭证": "Vehicle certificate of conformity or import certificate",
    "机动车交通事故责任强制保险凭证": "Compulsory third-party motor insurance certificate",
    "车辆购置税完税或免税证明": "Vehicle purchase tax payment or exemption certificate",
    "机动车驾驶证": "Driving licence",
    "《机动车驾驶人身体条件证明》": "Driver's medical fitness certificate",
    "驾驶证相片": "Photo for the driving licence",
    "机动车行驶证": "Vehicle registration certificate (driving permit)",
    "《企业设立登记申请书》": "Application for registration of a new enterprise (form)",
    "公司章程或合伙协议": "Articles of association or partnership agreement",
    "股东（投资人）主体资格证明或自然人身份证件": (
        "Shareholders' (investors') proof of legal status or identity documents"
    ),
    "法定代表人、董事、监事和经理的任职文件": (
        "Appointment documents of the legal representative, directors, supervisors and manager"
    ),
    "住所（经营场所）使用证明": "Proof of the right to use the registered address (business premises)",
    "《企业变更登记申请书》": "Application for registration of changes to an enterprise (form)",
    "股东会决议或投资人决定": "Shareholders' meeting resolution or investor's decision",
    "修改后的公司章程或章程修正案": "Amended articles of association or amendment",
    "营业执照正、副本": "Business licence (original and duplicate)",
    "《企业注销登记申请书》": "Application for deregistration of an enterprise (form)",
    "清算报告或全体投资人承诺书": "Liquidation report or undertaking signed by all investors",
    "清税证明": "Tax clearance certificate",
    "《个体工商户登记（备案）申请书》": "Application for registration of an individual business (form)",
    "经营者居民身份证": "Operator's resident identity card",
    "经营场所使用证明": "Proof of the right to use the business premises",
    "《食品经营许可申请书》": "Application for a food business licence (form)",
    "营业执照": "Business licence",
    "与食品经营相适应的主要设备设施、经营布局、操作流程等文件": (
        "Documents on the main equipment, layout and working procedures suited to the food business"
    ),
    "食品安全自查、从业人员健康管理、进货查验记录等食品安全管理制度": (
        "Food safety rules: self-inspection, staff health management, records of goods received"
    ),
    "法定代表人（负责人）身份证件": "Legal representative's (person in charge's) identity document",
    "《药品经营许可证申请表》": "Application for a drug business licence (form)",
    "执业药师注册证及身份证件": "Licensed pharmacist's registration certificate and identity document",
    "营业场所和仓库平面布置图及房屋使用证明": (
        "Floor plans of the shop and storeroom, and proof of the right to use the premises"
    ),
    "药品质量管理制度文件目录": "List of the drug quality management rules",
    "《特种设备使用登记表》": "Registration form for special equipment in use",
    "产品合格证（含产品数据表）": "Product certificate of conformity (with data sheet)",
    "监督检验证明或定期检验报告": "Supervisory inspection certificate or periodic inspection report",
    "安全管理人员资格证书": "Safety manager's qualification certificate",
    "《举报奖励申请表》": "Application for a reporting reward (form)",
    "举报奖励告知书": "Notice of eligibility for a reporting reward",
    "本人银行结算账户信息": "Details of your own bank account",
    "《社会保险单位登记表》": "Employer social insurance registration form",
    "《灵活就业人员参保登记表》": "Social insurance registration form for the flexibly employed",
    "《社会保险单位注销登记表》": "Employer social insurance deregistration form",
    "单位注销、撤销或解散的决定文件": "Decision to deregister, revoke or dissolve the employer",
    "经办人身份证件及单位授权委托书": "Identity document of the person handling it and the employer's power of attorney",
    "《基本养老保险关系转移接续申请表》": "Application for transfer of basic pension insurance (form)",
    "近期免冠彩色证件照": "Recent bare-headed colour ID photo",
    "《职工退休（职）审批表》": "Employee retirement approval form",
    "职工人事档案": "Employee's personnel file",
    "视同缴费年限认定材料": "Documents for recognising deemed contribution years",
    "《基本养老保险待遇申领表》": "Claim form for basic pension benefits",
    "职工退休（职）审批表": "Employee retirement approval form",
    "社会保障卡": "Social security card",
    "解除或终止劳动关系证明": "Proof that the employment was ended",
    "仲裁申请书": "Application for arbitration",
    "申请人身份证件或主体资格证明": "Applicant's identity document or proof of legal status",
    "被申请人主体信息": "Details of the respondent",
    "证据材料": "Evidence",
    "《就业失业登记表》": "Employment and unemployment registration form",
    "参保人居民身份证或居民户口簿": "Insured person's resident identity card or household register",
    "广东省居住证": "Guangdong residence permit",
    "外省市职工医保参保缴费凭证": "Proof of employee medical insurance contributions in other provinces or cities",
    "参保人社会保障卡或医保电子凭证": "Insured person's social security card or electronic medical insurance card",
    "《异地就医登记备案表》": "Registration form for medical treatment in another region",
    "个人承诺书": "Personal undertaking",
    "《生育保险待遇申报表》": "Maternity insurance benefits claim form",
    "产科诊断证明或出院小结": "Obstetric diagnosis certificate or discharge summary",
    "《门诊特定病种待遇申请表》": "Application for outpatient treatment of specified diseases (form)",
    "诊断证明及相关检查报告": "Diagnosis certificate and examination reports",
    "医疗费用收据或电子票据": "Receipts or electronic invoices for the medical expenses",
    "费用明细清单": "Itemised list of expenses",
    "出院小结或门诊病历": "Discharge summary or outpatient records",
    "《不动产登记申请书》": "Application for real estate registration (form)",
    "买卖双方身份证件": "Identity documents of the buyer and the seller",
    "不动产权证书或房地产权证": "Real estate title certificate or property ownership certificate",
    "存量房买卖合同（网签备案）": "Second-hand home sale contract (signed and filed online)",
    "契税、个人所得税等完税凭证": "Tax payment certificates (deed tax, individual income tax and others)",
    "抵押人、抵押权人身份证明或主体资格证明": ("Proof of identity or legal status of the mortgagor and the mortgagee"),
    "不动产权证书": "Real estate title certificate",
    "主债权合同及抵押合同": "Loan contract and mortgage contract",
    "权利人身份证件": "Owner's identity document",
    "不动产权证书遗失（灭失）情况说明": "Statement on the loss (or destruction) of the title certificate",
    "国有建设用地使用权出让合同及价款缴纳凭证": (
        "Contract granting state-owned construction land use rights and proof of payment"
    ),
    "建设工程规划条件核实意见及竣工验收备案材料": (
        "Planning conditions verification opinion and completion acceptance filing documents"
    ),
    "房屋测绘报告": "Building survey report",
    "土地权属争议调处申请书": "Application for settlement of a land ownership dispute",
    "土地权属来源证明材料": "Documents proving the origin of the land rights",
    "争议土地界址示意图": "Sketch map of the boundaries of the disputed land",
    "《建设工程规划许可申请表》": "Application for a construction project planning permit (form)",
    "建设工程设计方案总平面图及建筑设计方案": "Site plan and architectural design of the project",
    "国有土地使用权证明文件": "Proof of state-owned land use rights",
    "规划条件或已批准的修建性详细规划": "Planning conditions or the approved detailed construction plan",
    "购房合同或不动产权证书": "Home purchase contract or real estate title certificate",
    "购房发票或完税凭证": "Home purchase invoice or tax payment certificate",
    "租赁合同登记备案信息": "Registration details of the tenancy agreement",
    "《住房公积金个人住房借款申请表》": "Application for a housing provident fund home loan (form)",
    "借款人及配偶居民身份证": "Resident identity cards of the borrower and spouse",
    "婚姻状况证明": "Proof of marital status",
    "购房合同（网签备案）": "Home purchase contract (signed and filed online)",
    "首付款凭证": "Proof of the down payment",
    "《住房公积金单位缴存登记表》": "Employer housing provident fund registration form",
    "《住房公积金单位账户注销申请表》": "Application for closing an employer's housing provident fund account (form)",
    "职工账户转移或封存清册": "List of employee accounts transferred or suspended",
    "双方当事人居民身份证": "Both parties' resident identity cards",
    "本人无配偶以及与对方没有直系血亲和三代以内旁系血亲关系的签字声明": (
        "Signed declaration that you have no spouse and are not related to the other party by "
        "blood in direct line or collaterally within three generations"
    ),
    "双方近期半身免冠合影照片": "Recent bare-headed half-length photo of the couple together",
    "结婚证": "Marriage certificate",
    "离婚协议书": "Divorce agreement",
    "双方近期半身免冠单人照片": "Recent bare-headed half-length photo of each party",
    "《最低生活保障申请书》": "Application for the minimum living allowance (form)",
    "家庭成员居民身份证及居民户口簿": "Family members' resident identity cards and household register",
    "家庭经济状况核对授权书": "Authorisation to check the family's income and assets",
    "残疾证、疾病诊断证明等特殊情况证明": (
        "Proof of special circumstances (disability certificate, medical diagnosis and the like)"
    ),
    "《特困人员救助供养申请书》": "Application for support of persons in extreme poverty (form)",
    "残疾证或丧失劳动能力的证明": "Disability certificate or proof of inability to work",
    "《社会团体成立登记申请表》": "Application for registration of a social organisation (form)",
    "业务主管单位批准文件": "Approval of the supervising authority",
    "章程草案及会员大会通过章程的会议纪要": ("Draft articles and minutes of the members' meeting that adopted them"),
    "验资报告及住所使用证明": "Capital verification report and proof of the right to use the premises",
    "拟任负责人的基本情况和身份证明": "Particulars and identity documents of the proposed officers",
    "新生儿父母居民身份证": "Newborn's parents' resident identity cards",
    "《出生医学证明首次签发登记表》": "Registration form for the first issue of a medical birth certificate",
    "《医师执业注册申请审核表》": "Application for registration as a medical practitioner (form)",
    "医师资格证书": "Medical practitioner qualification certificate",
    "申请人身份证件": "Applicant's identity document",
    "六个月内的健康体检证明": "Health check certificate issued within the last six months",
    "拟执业机构聘用证明": "Proof of employment by the institution where you will practise",
    "《医疗机构申请执业登记注册书》": "Application for practice registration of a medical institution (form)",
    "医疗机构用房产权证明或使用证明": "Proof of ownership or use of the institution's premises",
    "医疗机构建筑设计平面图": "Architectural floor plans of the institution",
    "卫生技术人员名录及资格证书、执业证书": (
        "List of health professionals with their qualification and practising certificates"
    ),
    "医疗机构规章制度": "Rules and procedures of the institution",
    "《公共场所卫生许可申请表》": "Application for a public venue hygiene licence (form)",
    "公共场所地址方位示意图、平面图和卫生设施平面布局图": (
        "Location sketch, floor plan and layout of the hygiene facilities of the venue"
    ),
    "公共场所卫生检测或评价报告": "Hygiene test or assessment report of the venue",
    "经办人身份证件": "Identity document of the person handling it",
    "《发票领用表》": "Invoice application form",
    "《税务行政许可申请表》": "Application for a tax administrative licence (form)",
    "《增值税专用发票最高开票限额申请单》": "Application for the maximum invoicing limit of special VAT invoices (form)",
    "家庭住房情况书面查询结果或承诺书": "Written result of the family housing search, or an undertaking",
    "《清税申报表》": "Tax clearance return",
    "上级主管部门批复或股东会决议": "Approval of the supervising authority or shareholders' resolution",
    "银行账户信息": "Bank account details",
    "《商品房预售许可申请表》": "Application for a commercial housing pre-sale permit (form)",
    "不动产权证书（国有建设用地使用权）": "Real estate title certificate (state-owned construction land use rights)",
    "建设工程规划许可证和建筑工程施工许可证": "Construction project planning permit and construction permit",
    "工程施工合同及投资进度证明": "Construction contract and proof of investment progress",
    "商品房预售方案": "Pre-sale plan of the commercial housing",
    "《建筑工程施工许可证申请表》": "Application for a construction permit (form)",
    "建设工程规划许可证": "Construction project planning permit",
    "施工合同及中标通知书": "Construction contract and notice of award",
    "施工图设计文件审查合格书": "Certificate of approval of the construction drawings",
    "建设资金已落实承诺书": "Undertaking that the construction funds are in place",
    "《道路货物运输经营申请表》": "Application for a road freight transport business licence (form)",
    "负责人身份证件及经办人身份证件、委托书": (
        "Identity documents of the person in charge and of the person handling it, with a power of attorney"
    ),
    "机动车辆行驶证及车辆技术等级评定结论": "Vehicle registration certificates and technical grade assessments",
    "驾驶人员的驾驶证和从业资格证": "Drivers' licences and professional qualification certificates",
    "安全生产管理制度文本": "Work safety rules",
    "《网络预约出租汽车驾驶员证申请表》": "Application for a ride-hailing driver's permit (form)",
    "无犯罪记录证明": "Certificate of no criminal record",
    "《网络预约出租汽车运输证申请表》": "Application for a ride-hailing vehicle transport permit (form)",
    "车辆卫星定位装置及应急报警装置安装证明": "Proof that satellite positioning and emergency alarm devices are fitted",
    "营运车辆保险凭证": "Insurance certificate of the commercial vehicle",
    "学历证书": "Academic certificate",
    "中小学教师资格考试合格证明": "Pass certificate of the primary and secondary teacher qualification examination",
    "普通话水平测试等级证书": "Putonghua proficiency test certificate",
    "体检合格证明": "Medical examination certificate",
    "《中小学生转学申请表》": "Application for a school transfer (form)",
    "学生居民户口簿或广东省居住证": "Student's household register or Guangdong residence permit",
    "转入学校同意接收证明": "Receiving school's letter of acceptance",
    "《民办学校正式设立申请书》": "Application for the formal establishment of a private school (form)",
    "筹设批准书": "Approval of the preparations",
    "学校章程及首届决策机构组成人员名单": "School charter and list of members of the first governing body",
    "校舍产权证明或租赁合同": "Proof of ownership or lease of the school premises",
    "验资报告及资产来源证明": "Capital verification report and proof of the source of assets",
    "拟任校长和教师的资格证明": "Qualifications of the proposed head teacher and teachers",
    "《法律援助申请表》": "Application for legal aid (form)",
    "经济困难状况说明表": "Statement of financial hardship",
    "与所申请法律援助事项有关的材料": "Documents on the matter for which legal aid is sought",
    "《公证申请表》": "Application for notarisation (form)",
    "需公证的证明材料": "Documents to be notarised",
    "人民调解申请书": "Application for people's mediation",
    "当事人身份证件": "Parties' identity documents",
    "与纠纷有关的证据材料": "Evidence concerning the dispute",
}

MATERIAL_NOTES: dict[str, str] = {
    "广州市户籍可通过电子证照共享核验，免于提交": (
        "Not needed for Guangzhou households: checked through shared electronic certificates"
    ),
    "未满十六周岁的申请人由监护人陪同办理时提交": "For applicants under 16 accompanied by a guardian",
    "可在受理点免费现场拍摄，或到具备资质的照相馆拍摄后上传": (
        "Taken free of charge at the service point, or at an approved photo studio and uploaded"
    ),
    "领取新证时交回": "Hand it in when you collect the new card",
    "可在受理点免费现场拍摄": "Taken free of charge at the service point",
    "因登记项目变更换领时提交": "When renewing because registered details changed",
    "已申领电子身份证的，可出示“粤省事”电子证照": (
        "If you have an electronic identity card, you may show it in the Yueshengshi app"
    ),
    "可通过信息共享核验的免于提交": "Not needed if it can be checked through shared records",
    "可先行受理，5个工作日内补交": "The application can be accepted first; hand it in within 5 working days",
    "已实行电子迁移的免于提交": "Not needed where the move is processed electronically",
    "本市助产机构签发的可通过电子证照核验": ("Checked electronically if issued by a Guangzhou maternity hospital"),
    "非婚生育的，按规定提交相关证明或书面说明": (
        "For a child born outside marriage, the documents or written statement the rules require"
    ),
    "委托他人代办时提交": "When someone applies on your behalf",
    "受理点免费现场采集": "Taken free of charge at the service point",
    "换发、再次申请签注时提交": "When renewing or applying for another endorsement",
    "国家工作人员申请时提交": "For public servants",
    "换发或原护照仍有效时提交": "When renewing, or if your current passport is still valid",
    "未满十六周岁的申请人由监护人陪同时提交": "For applicants under 16 accompanied by a guardian",
    "申请探亲、商务等签注时提交": "For family-visit, business and similar endorsements",
    "个人为居民身份证；单位为统一社会信用代码证明": (
        "Resident identity card for a person; unified social credit code certificate for an organisation"
    ),
    "可通过电子发票信息核验": "May be checked through electronic invoice records",
    "通过部门信息共享核验": "Checked through records shared between departments",
    "体检医院已联网上传的无需提交纸质件": "No paper copy needed if the clinic has uploaded it",
    "可在窗口领取或在广东政务服务网下载": ("Available at the window or from the Guangdong Government Service website"),
    "可使用平台提供的章程范本": "You may use the model articles provided on the platform",
    "实行住所申报承诺制的可提交《住所（经营场所）信息申报表》": (
        "Where self-declaration of the address applies, a declaration of the address (business premises) will do"
    ),
    "可容缺受理，领取执照前补交": "May follow later: hand it in before collecting the licence",
    "换发执照时交回": "Hand it in when the licence is reissued",
    "通过税务部门信息共享获取，无需提交": "Not needed: obtained from the tax authority's shared records",
    "可提交租赁合同或《住所（经营场所）信息申报表》": (
        "A tenancy agreement or a declaration of the address (business premises)"
    ),
    "通过电子证照库调取，无需提交纸质件": "No paper copy needed: taken from the electronic certificate database",
    "可容缺受理，现场核查前补交": "May follow later: hand it in before the on-site check",
    "可容缺受理，现场检查前补交": "May follow later: hand it in before the on-site inspection",
    "用于发放待遇或款项；已激活社保卡金融功能的可免于提交": (
        "For paying benefits or money to you; not needed if your social security card's bank account is active"
    ),
    "非法定代表人办理时提交": "When someone other than the legal representative applies",
    "可现场免费拍摄": "Taken free of charge on site",
    "未成年人由监护人代办时提交": "When a guardian applies for a minor",
    "由用人单位或档案保管机构提供": "Provided by the employer or the archive keeping the file",
    "有视同缴费年限的提交，可容缺后补": "If you have deemed contribution years; may follow later",
    "通过系统共享获取": "Obtained through shared records",
    "可出示电子社保卡": "You may show the electronic social security card",
    "单位已网上报送的免于提交": "Not needed if the employer has submitted it online",
    "按被申请人人数提交副本": "One copy for each respondent",
    "可在举证期限内补充提交": "May be added within the time allowed for evidence",
    "新生儿提交出生医学证明": "For a newborn, the medical birth certificate",
    "非本市户籍人员提交；可通过信息共享核验": (
        "For people without Guangzhou household registration; may be checked through shared records"
    ),
    "通过信息共享获取": "Obtained through shared records",
    "有外地缴费年限需合并计算的提交，可容缺后补": ("If contribution years elsewhere are to be added; may follow later"),
    "可出示医保电子凭证": "You may show the electronic medical insurance card",
    "网上申请时在线填写": "Filled in online when applying online",
    "长期居住人员以承诺代替居住证明": "Long-term residents give an undertaking instead of proof of residence",
    "通过电子证照共享获取": "Obtained through shared electronic certificates",
    "医院未上传电子病历的提交": "If the hospital has not uploaded electronic records",
    "由定点医疗机构医生填写": "Filled in by a doctor of a designated medical institution",
    "可容缺受理，10个工作日内补交": "May follow later: hand it in within 10 working days",
    "通过网签备案系统获取": "Obtained from the online contract filing system",
    "“一窗受理”同步办理，免于提交": "Not needed: handled at the same time at the one-stop window",
    "已通过“多测合一”共享的免于提交": "Not needed if shared through the combined surveying system",
    "按对方当事人人数提交副本": "One copy for each other party",
    "可在调查阶段补交": "May be handed in during the investigation",
    "通过信息共享核验": "Checked through shared records",
    "可容缺受理，放款前补交": "May follow later: hand it in before the loan is paid out",
    "无备案的按本市标准提取，免于提交": (
        "Not needed: without a filed tenancy, the city's standard amount is withdrawn"
    ),
    "可通过婚姻登记信息共享核验": "May be checked through shared marriage records",
    "可容缺受理，签订借款合同前补交": "May follow later: hand it in before signing the loan contract",
    "可出示“粤省事”电子证照": "You may show the electronic certificate in the Yueshengshi app",
    "在登记现场签署": "Signed at the registry",
    "2寸，也可现场拍摄": "2-inch; may also be taken on site",
    "双方各持一本": "One for each party",
    "由共同生活家庭成员签字": "Signed by every family member living in the household",
    "有特殊情况的提交，可在入户调查前补交": ("If special circumstances apply; may be handed in before the home visit"),
    "可容缺受理，调查核实期间补交": "May follow later: hand it in during the verification",
    "依法直接登记的免于提交": "Not needed for organisations registered directly by law",
    "外籍父母提交护照": "Foreign parents bring their passports",
    "在助产机构填写": "Filled in at the maternity hospital",
    "在线填写": "Filled in online",
    "可在现场审查前补交": "May be handed in before the on-site review",
    "告知承诺的可在领证后30日内补交": (
        "Under the notification-and-commitment scheme, within 30 days after the licence is issued"
    ),
    "已实名认证的网上办理无需提交": "Not needed online once your identity is verified",
    "在线填报": "Filled in online",
    "实名认证后免于提交": "Not needed once your identity is verified",
    "享受税收优惠的提交": "If you claim a tax concession",
    "申请退税时提供本人银行账户": "Your own bank account, when claiming a refund",
    "可容缺受理，发证前补交": "May follow later: hand it in before the certificate is issued",
    "由公安机关信息共享核查，免于提交": "Not needed: checked through police records",
    "承运人责任险等营运车辆保险": "Carrier's liability and other commercial vehicle insurance",
    "可通过学信网核验的免于提交": "Not needed if it can be checked on the CHSI website",
    "在规定时间内体检后由医院报送": "Sent by the hospital after the medical examination in the set period",
    "可由学校通过学籍系统确认后补交": "May follow later, once the school confirms it in the student records system",
    "经批准筹设的提交": "If the preparations were approved",
    "实行个人诚信承诺制": "A personal good-faith declaration is accepted",
    "可在审查期间补充提交": "May be added during the review",
    "如户口簿、结婚证、学历证书等": "Such as a household register, marriage certificate or academic certificate",
    "口头申请的由调解员记录": "For an oral application, the mediator writes it down",
    "可在调解过程中补充": "May be added during the mediation",
}


# --- Special steps: names and notes --------------------------------------------------------------

SPECIAL_STEPS: dict[str, str] = {
    "专家评审": "Expert review",
    "超过一定规模的危险性较大工程等组织专家论证评审": (
        "Experts review hazardous works above a certain size and similar projects"
    ),
    "体格检查": "Medical examination",
    "按广东省申请认定教师资格人员体检标准进行": (
        "To Guangdong's medical standards for teacher qualification applicants"
    ),
    "入户调查": "Home visit",
    "核实家庭人口、收入、财产和生活状况": "Checks the household's members, income, assets and living conditions",
    "听证": "Hearing",
    "当事人申请或案情重大复杂的依法组织听证": ("Held by law when a party asks for one or the case is major or complex"),
    "实地核查": "On-site check",
    "申请最高开票限额为一百万元及以上的进行实地核查": (
        "For applications for a maximum invoicing limit of one million yuan or more"
    ),
    "实地考察": "Site visit",
    "考察校舍、设施设备及安全条件": "Inspects the premises, facilities, equipment and safety",
    "村（居）公示": "Public notice in the village or community",
    "公示期7日": "Notice period of 7 days",
    "现场勘查及界址核实": "Site survey and boundary verification",
    "离婚冷静期": "Cooling-off period for divorce",
    "自受理之日起30日，不计入办理时限": ("30 days from acceptance, not counted in the time limit"),
    "简易注销公示": "Public notice of simplified deregistration",
    "通过国家企业信用信息公示系统公示20日，公示期内无异议的方可申请": (
        "20 days' notice on the National Enterprise Credit Information Publicity System; "
        "you may apply if there is no objection"
    ),
    "经营场所现场核查": "On-site check of the business premises",
    "按规定需要现场核查的，核查时间不计入办理时限": (
        "Where the rules require an on-site check, its time is not counted in the time limit"
    ),
    "遗失声明公告": "Public notice of the loss",
    "在登记机构门户网站刊发遗失声明15个工作日": (
        "Notice of the loss published on the registry's website for 15 working days"
    ),
}


# --- Handling methods (通办方式): each part of ``demo_data.methods(...)`` ----------------------------

HANDLING_METHODS: dict[str, str] = {
    "不动产登记、交易、缴税“一窗受理”": "Real estate registration, transaction and taxes at one window",
    "企业开办“一网通办”同步办理": "Handled together on the one-stop online platform for starting a business",
    "企业注销“一网通办”同步办理": "Handled together on the one-stop online platform for closing a business",
    "全国通办：个人所得税App": "Nationwide: the Individual Income Tax app",
    "全国通办：可在任一婚姻登记机关办理": "Nationwide: at any marriage registry",
    "全国通办：可在全国任一出入境管理机构申请": "Nationwide: at any exit-entry administration office in China",
    "全市通办": "Citywide",
    "全市通办：可在全市任一不动产登记窗口申请": "Citywide: at any real estate registration window in the city",
    "全市通办：可在全市任一区政务服务中心综合窗口申请": (
        "Citywide: at the comprehensive windows of any district Government Service Centre"
    ),
    "全市通办：可在全市任一区政务服务中心综合窗口申请（接件后转户籍地镇街办理）": (
        "Citywide: at the comprehensive windows of any district Government Service Centre "
        "(forwarded to the subdistrict or town of your household registration)"
    ),
    "全市通办：可在全市任一区政务服务中心综合窗口申请（接件后转有管辖权的仲裁委员会）": (
        "Citywide: at the comprehensive windows of any district Government Service Centre "
        "(forwarded to the competent arbitration committee)"
    ),
    "全市通办：可在全市任一车管所及登记服务站办理": (
        "Citywide: at any vehicle administration office or registration station in the city"
    ),
    "全程网办：“穗好办”、广州市房地产交易管理系统": (
        "Fully online: the Suihaoban app and the Guangzhou real estate transaction system"
    ),
    "全程网办：广东政务服务网、“粤省事”“粤商通”“穗好办”": (
        "Fully online: the Guangdong Government Service website and the Yueshengshi, Yueshangtong and Suihaoban apps"
    ),
    "全程网办：广东政务服务网、“粤省事”“粤商通”“穗好办”（中国教师资格网）": (
        "Fully online: the Guangdong Government Service website and the Yueshengshi, Yueshangtong and "
        "Suihaoban apps (China Teacher Qualification website)"
    ),
    "全程网办：广东政务服务网、“粤省事”“粤商通”“穗好办”（医疗机构、医师、护士电子化注册系统）": (
        "Fully online: the Guangdong Government Service website and the Yueshengshi, Yueshangtong and "
        "Suihaoban apps (electronic registration system for medical institutions, doctors and nurses)"
    ),
    "全程网办：广东政务服务网、“粤省事”“粤商通”“穗好办”（国家医保服务平台）": (
        "Fully online: the Guangdong Government Service website and the Yueshengshi, Yueshangtong and "
        "Suihaoban apps (National Healthcare Security Service Platform)"
    ),
    "全程网办：广东政务服务网、“粤省事”“粤商通”“穗好办”（国家社会保险公共服务平台）": (
        "Fully online: the Guangdong Government Service website and the Yueshengshi, Yueshangtong and "
        "Suihaoban apps (National Social Insurance Public Service Platform)"
    ),
    "全程网办：广东政务服务网、“粤省事”“粤商通”“穗好办”（电子证明）": (
        "Fully online: the Guangdong Government Service website and the Yueshengshi, Yueshangtong and "
        "Suihaoban apps (electronic certificate)"
    ),
    "全程网办：广东省电子税务局": "Fully online: the Guangdong Electronic Tax Bureau",
    "全程网办：广州市工程建设项目联合审批系统": (
        "Fully online: the Guangzhou joint approval system for construction projects"
    ),
    "全程网办：广州市房地产交易管理系统": "Fully online: the Guangzhou real estate transaction system",
    "办税服务厅提供帮办": "Help with the application at the tax service hall",
    "受托银行网点代收": "Applications taken at the branches of the appointed banks",
    "可选择邮政寄递送证": "The document can be sent by post",
    "可选择邮政寄递领证": "The card can be sent by post",
    "定点医疗机构代办": "Designated medical institutions can apply for you",
    "新生儿出生“一件事”联办": "Part of the \u201cnewborn birth\u201d bundle",
    "新车可由销售企业代办“出厂即上牌”": "Dealers can register a new car for you at the time of sale",
    "社区工作人员可上门代办": "Community workers can apply for you at home",
    "签注可在自助签注机办理": "Endorsements are also available at self-service machines",
    "网上办理：“交管12123”App": "Online: the Traffic Management 12123 app",
    "网上申办：“穗好办”不动产登记": "Online: real estate registration in the Suihaoban app",
    "网上申办：“粤省事”新生儿入户": "Online: newborn household registration in the Yueshengshi app",
    "网上申请：12348广东法网": "Online: the 12348 Guangdong legal services website",
    "网上申请：“穗好办”": "Online: the Suihaoban app",
    "网上申请：“粤省事”人民调解": "Online: people's mediation in the Yueshengshi app",
    "网上申请：广东省劳动人事争议网络仲裁服务平台": (
        "Online: the Guangdong online labour and personnel dispute arbitration platform"
    ),
    "网上预约：“粤省事”": "Appointments online: the Yueshengshi app",
    "跨城通办：广深“跨城通办”": "Across cities: between Guangzhou and Shenzhen",
    "跨境通办：港澳居民可通过“跨境通办”自助服务专区或视频远程方式办理": (
        "Cross-border: Hong Kong and Macao residents can apply at cross-border self-service corners or by video call"
    ),
    "跨境通办：港澳居民和海外华侨可通过远程视频办理部分公证": (
        "Cross-border: Hong Kong and Macao residents and overseas Chinese can have some notarisations done by video call"
    ),
    "跨省异地就医手工报销可在参保地线上申请": (
        "Claims for treatment in another province can be made online where you are insured"
    ),
    "跨省通办：可在全国任一同类业务窗口申请": "Across provinces: at any window for the same service in China",
    "跨省通办：可在全国任一同类业务窗口申请（异地受理，户籍地制证）": (
        "Across provinces: at any window for the same service in China (the card is made where you are registered)"
    ),
    "跨省通办：户口迁移“一站式”办理，迁入地直接受理": (
        "Across provinces: one-stop household migration, handled where you move to"
    ),
    "退休“一件事”联办": "Part of the \u201cretirement\u201d bundle",
    "部分网点可即时制卡": "Some branches print the card on the spot",
    "银行网点代办：“不动产登记+金融服务”不见面办理": (
        "At bank branches: real estate registration with the mortgage, without visiting the registry"
    ),
}


def handling_methods(text: str) -> str:
    """The English of a ``demo_data.methods(...)`` text, part by part; blank if a part is missing."""
    if not text:
        return ""
    parts = [english(part, HANDLING_METHODS) for part in text.split("；")]
    return "; ".join(parts) if all(parts) else ""


# --- Fees: descriptions --------------------------------------------------------------------------

FEES: dict[str, str] = {
    "住宅每件80元，非住宅每件550元": "CNY 80 per registration for housing, CNY 550 for other property",
    "住宅每件80元，非住宅每件550元；每增加一本证书加收证书工本费10元": (
        "CNY 80 per registration for housing, CNY 550 for other property; CNY 10 for each additional certificate"
    ),
    "非住宅每件550元；住宅每件80元": "CNY 550 per registration for other property; CNY 80 for housing",
    "居民身份证工本费每证20元": "CNY 20 per identity card",
    "往来台湾通行证每证60元；签注一次有效每件15元": (
        "CNY 60 per Taiwan exit-entry permit; CNY 15 per single-entry endorsement"
    ),
    "往来港澳通行证每证60元；个人旅游签注一次有效每件15元、二次有效每件30元": (
        "CNY 60 per Hong Kong and Macao exit-entry permit; individual travel endorsement CNY 15 "
        "for one entry, CNY 30 for two"
    ),
    "按公证事项类别收费，如出生、婚姻状况、亲属关系等民事证明类每件按广东省公证服务收费标准收取": (
        "By type of notarisation; civil certificates such as birth, marital status and kinship are "
        "charged per certificate at Guangdong's notarial fee rates"
    ),
    "普通护照每本120元": "CNY 120 per passport",
    "有效期满、登记项目变更换领每证20元；损坏换领每证40元": (
        "CNY 20 per card on expiry or change of details; CNY 40 for a damaged card"
    ),
    "机动车驾驶证工本费每证10元": "CNY 10 per driving licence",
    "汽车号牌每副100元，行驶证每本10元，登记证书每本10元": (
        "CNY 100 per pair of number plates, CNY 10 per driving permit, CNY 10 per registration certificate"
    ),
    "补领居民身份证每证40元；临时居民身份证每证10元": (
        "CNY 40 per replacement identity card; CNY 10 per temporary identity card"
    ),
    "证书工本费每本10元": "CNY 10 per certificate",
}


# --- Bundles: descriptions, by Chinese name ------------------------------------------------------

BUNDLES: dict[str, str] = {
    "新生儿出生一件事": (
        "Parents apply once for the medical birth certificate, the birth registration (hukou), "
        "residents' medical insurance and the social security card. Once the maternity hospital "
        "issues the birth certificate its details are passed on automatically and the departments "
        "handle the rest in parallel."
    ),
    "开办餐饮店一件事": (
        "After the company is registered, the food business licence, social insurance and provident "
        "fund registration of the employer, tax registration and invoices are handled in parallel: "
        "one form, one window, one visit."
    ),
    "退休一件事": (
        "Once retirement is approved, the pension and the retiree's employee medical insurance "
        "benefits are determined together; you need not apply separately to the human resources "
        "and the healthcare security windows."
    ),
    "企业注销一件事": (
        "Apply once on the one-stop online platform for closing a business: tax clearance and the "
        "closing of the social insurance and provident fund accounts run in parallel, and the "
        "company is deregistered as soon as they are done."
    ),
    "二手房买卖及公积金提取一件事": (
        "After the sale contract is signed and filed online, the transaction taxes and the transfer "
        "registration are handled together at the one-stop real estate window; once registered, "
        "the buyer can withdraw the housing provident fund straight away."
    ),
}


# --- Items: conditions, result and steps, by item code -------------------------------------------


@dataclass(frozen=True)
class ItemEnglish:
    conditions: str
    result: str
    procedure: tuple[str, ...] = ()


# fmt: off
ITEMS: dict[str, ItemEnglish] = {
    # Public security.
    "0600101001": ItemEnglish(
        "Residents registered in Guangzhou must apply for an identity card at 16; for children under 16 a "
        "guardian may apply. The applicant must attend in person to have a photo and fingerprints taken.",
        "Resident identity card of the People's Republic of China",
        (
            "Take a ticket at the place of household registration or any service point and fill in the "
            "identity card application form (a guardian accompanies a child)",
            "The window checks the household register and other documents and takes your photo and fingerprints",
            "Pay the fee and take the receipt",
            "The police approve and issue the card; a text message tells you when it is ready",
            "Collect the card with the receipt, or have it sent by post",
        ),
    ),
    "0600101002": ItemEnglish(
        "Apply for a new card when yours expires, when your name or other registered details change, or when "
        "the card is too damaged to read. You may apply up to three months before it expires.",
        "Resident identity card of the People's Republic of China",
        (
            "Take a ticket at any service point with your current card",
            "The window checks your card and takes your photo and fingerprints",
            "Pay the fee and take the receipt",
            "The police approve and issue the new card; hand in the old one when you collect it",
            "Collect the card or have it sent by post",
        ),
    ),
    "0600101003": ItemEnglish(
        "Apply for a replacement if your card is lost. The lost card is reported at the same time and becomes "
        "invalid. If you need proof of identity in the meantime, you can also apply for a temporary card.",
        "Resident identity card of the People's Republic of China",
        (
            "Take a ticket at any service point and report the loss orally or in writing",
            "The window checks your household registration, records the loss and takes your photo and fingerprints",
            "Pay the fee and take the receipt (and apply for a temporary card if you need one)",
            "The police approve and issue the new card",
            "Collect the card or have it sent by post",
        ),
    ),
    "0600102001": ItemEnglish(
        "For people who qualify for Guangzhou household registration (talent introduction, points scheme, "
        "joining relatives or resettlement) and hold an approval to move in. The new address must be a lawful "
        "fixed residence or an employer's or talent collective household.",
        "Household register (registration of the move)",
        (
            "Apply at the household registration window of your new address with the approval to move in",
            "The window checks your documents; moves from other provinces are transferred electronically, so "
            "no migration certificate from your old address is needed",
            "The household registration office reviews and registers the move",
            "The household register is issued (or you are entered in the collective household)",
            "Collect the household register and apply separately for a new identity card",
        ),
    ),
    "0600102002": ItemEnglish(
        "A child born in Guangzhou, or with a parent registered in Guangzhou, can be registered with either "
        "parent's household. The head of the household, a relative or the carer registers the birth within "
        "one month.",
        "Newborn's page in the household register",
        (
            "A parent applies in the Yueshengshi app or at the window",
            "The window checks the medical birth certificate and the parents' identities",
            "The child's registration is entered and an identity number assigned",
            "A page is added to the household register and printed on the spot",
        ),
    ),
    "1000102003": ItemEnglish(
        "Residents registered in Guangzhou who need to prove their registration details, family relationships, "
        "a deregistration after death or the like may ask for a household registration certificate. No "
        "certificate is issued for facts that can be checked through shared records.",
        "Household registration certificate",
        (
            "Apply at the window or online",
            "The window checks the household registration records",
            "If the conditions are met the certificate is issued on the spot (an electronic one if you wish)",
            "Collect the certificate",
        ),
    ),
    "0100103001": ItemEnglish(
        "Mainland residents travelling to Hong Kong or Macao for tourism, family visits, business, study or "
        "similar reasons may apply for the permit and an endorsement. Public servants need their employer's "
        "approval.",
        "Exit-entry permit for Hong Kong and Macao with endorsement",
        (
            "Take a ticket at any exit-entry service point, or book in the National Immigration Administration app",
            "Have your photo and fingerprints taken and fill in the application form",
            "The window accepts the application; pay the fee and take the receipt",
            "The exit-entry administration approves and makes the permit",
            "Collect it at a self-service machine or the window, or have it sent by post",
        ),
    ),
    "0100103002": ItemEnglish(
        "Chinese citizens going abroad for non-official reasons (settling, family visits, study, work, travel, "
        "business) may apply for an ordinary passport. It is refused where the Exit and Entry Administration "
        "Law forbids leaving the country.",
        "Ordinary passport of the People's Republic of China",
        (
            "Take a ticket at any exit-entry service point or book online",
            "Have your photo and fingerprints taken and your identity checked",
            "The window accepts the application; pay the fee and take the receipt",
            "The exit-entry administration approves and makes the passport",
            "Collect it at the window or a self-service machine, or have it sent by post",
        ),
    ),
    "0100103003": ItemEnglish(
        "Mainland residents visiting Taiwan for tourism, family visits, business or similar reasons may apply "
        "for the permit and an endorsement. Group tourism endorsements are applied for through the tour group.",
        "Exit-entry permit for Taiwan with endorsement",
        (
            "Take a ticket at an exit-entry service point",
            "Have your photo and fingerprints taken and fill in the application form",
            "Pay the fee and take the receipt",
            "The permit is approved and made",
            "Collect it or have it sent by post",
        ),
    ),
    "0100104001": ItemEnglish(
        "The owner of a vehicle getting number plates and a driving permit for the first time registers it with "
        "the vehicle administration office of their place of residence. The vehicle must pass inspection, "
        "carry compulsory third-party insurance, and have its purchase tax paid or waived.",
        "Number plates, vehicle driving permit and vehicle registration certificate",
        (
            "The owner or an agent applies at a vehicle administration service station",
            "The vehicle is inspected and its identification number rubbed",
            "The window checks the documents and you choose a plate number",
            "Plates, driving permit and registration certificate are issued on the spot",
        ),
    ),
    "0100104002": ItemEnglish(
        "Renew your driving licence within 90 days before it expires. You must meet the medical requirements "
        "for the vehicle classes on your licence.",
        "Driving licence of the People's Republic of China",
        (
            "Apply in the Traffic Management 12123 app or at a vehicle administration office or station",
            "Upload the medical certificate, or have the clinic send it",
            "Your identity, licence status and any outstanding offences or accidents are checked",
            "The new licence is issued on the spot or sent by post",
        ),
    ),
    "0900104003": ItemEnglish(
        "Private cars, small passenger vehicles and motorcycles exempt from lane inspection may get their "
        "inspection sticker within three months before the current one expires. Any traffic offences and "
        "accidents must have been dealt with.",
        "Vehicle inspection sticker (electronic)",
        (
            "The owner applies in the Traffic Management 12123 app or at the window",
            "The system checks the insurance and any offences or accidents",
            "The electronic sticker is issued (a paper one can be posted or collected)",
            "Done",
        ),
    ),
    # Market regulation.
    "0100201001": ItemEnglish(
        "For setting up a limited liability company, company limited by shares, partnership or sole "
        "proprietorship whose name, address, registered capital and business scope comply with the law. "
        "Investors from Hong Kong and Macao can apply there through the cross-border service.",
        "Business licence (with electronic business licence)",
        (
            "Apply on the Guangzhou one-stop platform for starting a business, or at the starting-a-business corner",
            "The registry checks the application's form",
            "If the documents are complete and in due form, the company is registered and the licence issued",
            "The electronic business licence is issued at the same time, with the first set of seals free of charge",
            "Social insurance, provident fund accounts and invoices can be arranged at the same time",
        ),
    ),
    "0100201002": ItemEnglish(
        "When the name, address, legal representative, registered capital, business scope, shareholders or "
        "other registered details change, apply within 30 days of the resolution or decision.",
        "Notice of approved change and business licence",
        (
            "Apply on the one-stop platform or at the window",
            "The registry checks the application's form",
            "The change is registered and the licence reissued if its details changed",
            "Collect the licence or have it sent",
        ),
    ),
    "0100201003": ItemEnglish(
        "A company that ends because it is dissolved, declared bankrupt or for another legal reason applies "
        "for deregistration after liquidation. A company with no debts, or whose debts are settled, may use "
        "the simplified procedure.",
        "Notice of approved deregistration",
        (
            "File the liquidation group, the notice to creditors or the simplified notice in the online "
            "deregistration service area",
            "Complete tax clearance and close the social insurance and provident fund accounts",
            "Apply for deregistration",
            "The registry reviews and approves the deregistration",
            "Hand in the business licence; the electronic licence is cancelled at the same time",
        ),
    ),
    "0100201004": ItemEnglish(
        "A citizen able to run a business in industry or commerce may register as an individual business. The "
        "premises must meet planning and safety rules and the business may not be a prohibited one.",
        "Business licence of an individual business",
        (
            "Apply in the Yueshangtong app or at a subdistrict or town convenience service centre",
            "The window checks the operator's identity and the premises",
            "If the conditions are met the business is registered and the licence issued on the spot",
            "The electronic business licence is issued at the same time",
        ),
    ),
    "0100202001": ItemEnglish(
        "Selling food or running a catering service requires a food business licence. The applicant needs "
        "premises, equipment, food safety staff and rules suited to the kinds and quantities of food handled.",
        "Food business licence",
        (
            "Apply on the Guangdong Government Service website or at the window",
            "Market regulation checks the documents and decides whether to accept the application",
            "Where an on-site check is needed, the premises are inspected",
            "The licence is granted or refused",
            "The food business licence is issued (with its electronic version)",
        ),
    ),
    "0100203001": ItemEnglish(
        "A drug retailer needs a qualified pharmacist or other pharmaceutical staff, premises, equipment, "
        "storage and hygiene suited to the drugs sold, and rules that assure drug quality.",
        "Drug business licence",
        (
            "Hand in the application",
            "The drug regulator accepts it and reviews the documents",
            "An on-site inspection is carried out",
            "The licence is granted or refused",
            "The drug business licence is issued",
        ),
    ),
    "0100204001": ItemEnglish(
        "Boilers, pressure vessels, lifts, cranes, on-site special motor vehicles and other special equipment "
        "must be registered by the user before they are put into service or within 30 days after.",
        "Special equipment use registration certificate",
        (
            "The user applies in the special equipment registration system or at the window",
            "The registry reviews the documents",
            "If they meet the requirements, the equipment is registered",
            "The certificate is issued; the user displays the use mark prominently on the equipment",
        ),
    ),
    "0700205001": ItemEnglish(
        "A person who reported a major market-regulation violation under their real name may apply for a "
        "reward once the report is found true, the case is closed and the reward conditions are met. The "
        "reward depends on the harm done and the evidence provided.",
        "Reward decision and payment",
        (
            "Market regulation tells the reporter they may claim a reward",
            "The reporter applies within the time allowed",
            "Market regulation reviews the claim and decides the reward",
            "The reward is paid to the reporter",
        ),
    ),
    # Human resources and social security.
    "1000301001": ItemEnglish(
        "Employers register for social insurance within 30 days of being set up. Employers that registered "
        "when starting the business need not register again.",
        "Social insurance registration (employer insurance number)",
        (
            "The employer submits its details on the Guangdong Government Service website or at the window",
            "The system compares them with the business registration",
            "The registration is completed on the spot",
            "The employer can enrol its employees straight away",
        ),
    ),
    "1000301002": ItemEnglish(
        "Self-employed people without employees, part-time workers without employer pension insurance and "
        "other flexibly employed people may join the employee basic pension and employee medical insurance.",
        "Personal social insurance registration",
        (
            "Apply in the Yueshengshi app or at the window",
            "Your identity and insurance status are checked",
            "The contribution base is set and a contribution agreement signed",
            "The registration is completed on the spot",
        ),
    ),
    "1000301003": ItemEnglish(
        "An employer that ends, or whose duty to pay social insurance ends for another reason, deregisters. "
        "It must have paid all contributions, late fees and fines and removed all employees first.",
        "Social insurance deregistration",
        (
            "The employer applies",
            "Employee removals and arrears are checked",
            "The deregistration is approved",
            "The result is issued and shared with the business registry",
        ),
    ),
    "1000301004": ItemEnglish(
        "People who move to work in another province or city and are insured there may transfer their basic "
        "pension insurance. Apply where you are now insured; that office contacts the previous one.",
        "Basic pension insurance transferred",
        (
            "Apply on the National Social Insurance Public Service Platform or at the window where you are now insured",
            "After review, the new office sends a request to the previous one",
            "The previous office checks your contributions, transfers the fund and issues a statement",
            "The new office receives the fund and records your personal account",
            "A text message tells you when it is done",
        ),
    ),
    "1000302001": ItemEnglish(
        "People insured in Guangzhou, or who need human resources and social security services in Guangzhou, "
        "may apply for a social security card. A guardian may apply for a newborn.",
        "Social security card (third generation)",
        (
            "Apply in the Yueshengshi app or at the window and choose a partner bank",
            "Have your photo taken or upload one",
            "The card is made (at instant card points you can take it away at once)",
            "Collect and activate the card",
        ),
    ),
    "0600303001": ItemEnglish(
        "Employees insured in the enterprise employee basic pension may apply to retire when they reach the "
        "statutory retirement age (under the rules on its gradual raising) and have contributed for the "
        "minimum number of years.",
        "Employee retirement approval form (approved retirement)",
        (
            "The employer or the employee applies before the retirement age is reached",
            "Human resources confirms the date of birth, start of work and years of contribution",
            "The personnel file and other documents are reviewed",
            "The retirement is approved",
            "The result is issued and passed on for the pension to be determined",
        ),
    ),
    "0400303002": ItemEnglish(
        "Insured people whose retirement has been approved and who will receive a monthly basic pension claim "
        "their pension. It is paid from the month after the approval.",
        "Notice of the basic pension",
        (
            "Claim the pension once your retirement is approved",
            "The social insurance agency determines your years of contribution, personal account and pension",
            "The result is issued",
            "The pension is paid monthly into the bank account of your social security card",
        ),
    ),
    "0400303003": ItemEnglish(
        "People insured in the urban and rural residents' basic pension who are 60 or older, have contributed "
        "for 15 years and receive no other state basic pension may claim it.",
        "Residents' pension determined",
        (
            "Apply at a subdistrict or town convenience service centre or in the Yueshengshi app",
            "The window checks your identity and contributions",
            "The district social insurance agency reviews and determines the pension",
            "The pension is paid monthly",
        ),
    ),
    "0400304001": ItemEnglish(
        "You may claim unemployment benefit if you and your employer paid unemployment insurance for at least "
        "a year, you lost your job through no choice of your own, you have registered as unemployed and you "
        "are looking for work.",
        "Unemployment benefit determined",
        (
            "Apply in the Yueshengshi app or at the window",
            "The system checks your contributions and unemployment registration",
            "The agency reviews the claim and sets how long benefit is paid",
            "Benefit is paid monthly into the bank account of your social security card",
        ),
    ),
    "0900305001": ItemEnglish(
        "A party to a labour or personnel dispute may apply to the competent arbitration committee within one "
        "year of knowing, or when they should have known, that their rights were infringed. The application "
        "must name the respondent and state specific claims, facts and reasons.",
        "Notice of acceptance (or of refusal)",
        (
            "Hand in the application for arbitration with your evidence",
            "The arbitration committee checks whether it can be accepted",
            "If accepted, a copy is served on the respondent",
            "Mediation or a hearing is held",
            "A mediation statement or an award is made",
        ),
    ),
    "1000306001": ItemEnglish(
        "Working-age people able and wanting to work but without a job may register as unemployed where they "
        "live; when they find work, the employer or the worker registers the employment.",
        "Employment and unemployment registration",
        (
            "Apply in the Yueshengshi app or at a community or subdistrict window",
            "Your identity and employment and insurance status are checked",
            "The registration is made on the spot",
            "Job referrals, career guidance and other employment services are offered",
        ),
    ),
    # Healthcare security.
    "1000401001": ItemEnglish(
        "Open to people registered in Guangzhou without employee medical insurance, holders of a Guangzhou "
        "residence permit, students of universities and colleges in Guangzhou, newborns and others.",
        "Residents' medical insurance registration",
        (
            "The insured person or a guardian applies in the Yueyibao or Yueshengshi app or at the window",
            "Identity and eligibility are checked",
            "The registration is completed on the spot",
            "Contributions are paid each year",
        ),
    ),
    "1000401002": ItemEnglish(
        "Employees insured in employee medical insurance who retire with enough years of contribution pay no "
        "more contributions and receive retiree benefits; those short of the years may make up the difference.",
        "Retiree medical insurance benefits determined",
        (
            "After retirement is approved, the employer or the employee applies (the system may pass it on automatically)",
            "The medical insurance agency confirms the years of contribution",
            "If they are not enough, you are told how much to make up",
            "Retiree benefits are determined and the personal account is credited at the retiree rate",
        ),
    ),
    "1000402001": ItemEnglish(
        "People insured in Guangzhou who live elsewhere for long periods, travel or are referred for treatment "
        "in another province or city, and want their bills settled directly, register first.",
        "Registration for treatment in another region",
        (
            "Apply in the National Healthcare Security Service app, the Yueyibao app or at the window",
            "Choose the type, the place and the period, and sign the personal undertaking",
            "The system approves it at once",
            "Bills at designated hospitals and pharmacies there are then settled directly",
        ),
    ),
    "0400403001": ItemEnglish(
        "Employees covered by maternity insurance receive a maternity allowance for leave taken for childbirth "
        "or family planning surgery. The employer must have paid maternity insurance in full and without a "
        "break at the time of the birth.",
        "Maternity allowance determined and paid",
        (
            "The employer or the insured person applies online or at the window",
            "The medical insurance agency checks the birth and the contributions",
            "The allowance is determined",
            "It is paid to the employer or to the insured person",
        ),
    ),
    "0600404001": ItemEnglish(
        "Insured people with a specified outpatient condition, such as outpatient cancer treatment, dialysis "
        "for chronic kidney failure or anti-rejection treatment after a transplant, may apply for eligibility.",
        "Eligibility for outpatient treatment of specified diseases",
        (
            "See a doctor at a designated hospital, who fills in the application form",
            "The hospital or the insured person applies",
            "The medical insurance agency reviews the medical records",
            "The decision is made; benefits then apply at the chosen hospital",
        ),
    ),
    "0400403002": ItemEnglish(
        "Insured people who paid medical bills in full themselves (emergency treatment, treatment elsewhere "
        "not settled directly and the like) may claim within the set period after the expense.",
        "Medical expenses reimbursement statement",
        (
            "Upload the documents in the Yueyibao app or hand them in at the window",
            "The medical insurance agency accepts the claim and checks the expenses",
            "The amount is determined",
            "It is paid into the bank account of your social security card or another bank account",
        ),
    ),
    # Planning and natural resources.
    "0600501001": ItemEnglish(
        "When property changes hands by sale, buyer and seller apply together for transfer registration. The "
        "property must have had its first registration and may not be seized, under an objection or "
        "otherwise barred from transfer.",
        "Real estate title certificate",
        (
            "Buyer and seller apply together at the one-stop real estate window (the transaction taxes can be "
            "filed at the same time)",
            "The registry checks the documents and the property",
            "The transfer is reviewed and entered in the register",
            "Pay the registration fee",
            "The title certificate is issued (with its electronic version)",
        ),
    ),
    "0600501002": ItemEnglish(
        "To mortgage real estate, the mortgagor and the mortgagee apply together. The property must already "
        "be registered.",
        "Real estate registration certificate (mortgage)",
        (
            "The mortgagee (the bank) applies with the mortgagor through the registration-and-finance platform or at the window",
            "The registry checks the documents",
            "The mortgage is reviewed and entered in the register",
            "The registration certificate is issued (electronically)",
        ),
    ),
    "0600501003": ItemEnglish(
        "If a title certificate is lost or destroyed, the owner may ask for a new one. It is issued 15 working "
        "days after a notice of the loss is published on the registry's website.",
        "Real estate title certificate (reissued)",
        (
            "The owner applies with a statement on the loss",
            "The registry checks the ownership",
            "A notice of the loss is published on the registry's website",
            "If nobody objects within the notice period, a new certificate marked as reissued is issued",
        ),
    ),
    "0600501004": ItemEnglish(
        "Once state-owned construction land use rights are obtained and the buildings are completed and have "
        "passed acceptance, the first registration of the land use rights and the buildings may be applied for.",
        "Real estate title certificate",
        (
            "The developer applies for first registration",
            "The registry checks the planning verification, completion acceptance and survey results",
            "A site visit is made if needed",
            "The registration is reviewed and entered in the register",
            "The title certificate is issued",
        ),
    ),
    "0800502001": ItemEnglish(
        "Disputes over land ownership or use between organisations, individuals, or an individual and an "
        "organisation that cannot be settled by agreement may be brought to the government. The applicant "
        "must be directly concerned and state clear claims and facts.",
        "Decision (or mediation statement) on the land ownership dispute",
        (
            "The party hands in an application for settlement",
            "It is checked for acceptance; if accepted, the other party is asked to reply",
            "Evidence is gathered and the site surveyed",
            "Mediation is tried; if it fails, findings and a proposal are drawn up",
            "The government decides and the decision is served",
        ),
    ),
    "0100503001": ItemEnglish(
        "Building structures, roads, pipelines or other works within a city planning area requires a planning "
        "permit. The design must comply with the regulatory detailed plan and the planning conditions.",
        "Construction project planning permit",
        (
            "The developer applies in the construction project approval system",
            "The planning department reviews the design and planning indicators",
            "The permit is granted or refused",
            "The planning permit is issued (electronically)",
        ),
    ),
    # Housing provident fund.
    "1000601001": ItemEnglish(
        "Contributing employees and their spouses who buy a home to live in may withdraw their provident fund, "
        "up to the amount actually paid, within the set period after the purchase.",
        "Provident fund withdrawn and paid",
        (
            "Apply in the Suihaoban app, on the provident fund online service platform or at the window",
            "The fund centre checks the purchase (through shared registration and contract data)",
            "The withdrawal is approved",
            "The money is paid into your own bank account",
        ),
    ),
    "1000601002": ItemEnglish(
        "Contributing employees and their spouses who own no home in Guangzhou and rent one may withdraw their "
        "provident fund monthly or yearly to pay the rent, up to the city's standard for renters.",
        "Provident fund withdrawn and paid",
        (
            "Apply online or at the window",
            "The system checks that you own no home and the tenancy",
            "The withdrawal is approved at once",
            "The money is paid into your own bank account",
        ),
    ),
    "1000602001": ItemEnglish(
        "Employees who have paid into the provident fund in full and without a break for the required period, "
        "are buying a home to live in in Guangzhou and have no provident fund loan outstanding may apply.",
        "Provident fund loan decision",
        (
            "Meet the appointed bank and hand in the loan application",
            "The fund centre reviews your eligibility and the amount",
            "The loan is approved",
            "Sign the loan and mortgage contracts and register the mortgage",
            "The loan is paid out",
        ),
    ),
    "1000603001": ItemEnglish(
        "New employers register for the housing provident fund within 30 days of being set up and open "
        "accounts for their employees.",
        "Employer housing provident fund account",
        (
            "The employer submits its details online or at the window",
            "The system compares them with the business registration",
            "The registration is completed and the employer's account opened on the spot",
            "The employer opens its employees' personal accounts",
        ),
    ),
    "1000603002": ItemEnglish(
        "An employer that merges, splits, is closed, dissolved or goes bankrupt closes its provident fund "
        "account. All employees' accounts must have been transferred or suspended, with nothing owed.",
        "Employer provident fund account closed",
        (
            "The employer applies",
            "Transfers, suspensions and contributions of the employees' accounts are checked",
            "The employer's account is closed",
            "The result is shared with the business registry",
        ),
    ),
    # Civil affairs.
    "0600701001": ItemEnglish(
        "A man and a woman may register their marriage if both consent freely, have reached the legal age "
        "(22 for men, 20 for women), are unmarried and are not related by blood in direct line or "
        "collaterally within three generations. Both must attend in person.",
        "Marriage certificate",
        (
            "Book in the Yueshengshi app or take a ticket at the marriage registry",
            "The registrar checks your documents and you both sign the declaration",
            "If the conditions are met, the marriage is registered on the spot",
            "The marriage certificates are issued, with a ceremony if you wish",
        ),
    ),
    "0600701002": ItemEnglish(
        "A couple who both want a divorce and have agreed in writing on the children, property and debts may "
        "register it. Both must attend in person twice (to apply and to collect the certificates).",
        "Divorce certificate",
        (
            "Apply together at the marriage registry with your documents and the divorce agreement",
            "The registry accepts the application and gives you a receipt",
            "Cooling-off period: either of you may withdraw within 30 days",
            "Within 30 days after the cooling-off period, attend together to ask for the certificates",
            "If the conditions are met, the divorce is registered and the certificates issued on the spot",
        ),
    ),
    "0400702001": ItemEnglish(
        "Families registered in Guangzhou whose income per head is below the city's minimum living standard "
        "and whose assets meet the rules may apply. Income and assets must be declared truthfully and a check "
        "authorised.",
        "Decision on the minimum living allowance",
        (
            "Apply at the subdistrict or town convenience service centre of your household registration "
            "(or anywhere in the city)",
            "The subdistrict accepts it and checks the family's finances",
            "A home visit is made and a first opinion given",
            "A public notice is posted in your village or community",
            "The allowance is approved and paid",
        ),
    ),
    "0400702002": ItemEnglish(
        "Older people, people with disabilities and children under 16 who cannot work, have no income and no "
        "one legally bound (or able) to support them may apply for support.",
        "Decision recognising a person in extreme poverty",
        (
            "The person, or the village or community committee for them, applies to the subdistrict or town",
            "The subdistrict checks the facts and gives a first opinion",
            "A public notice is posted in the village or community",
            "The district civil affairs bureau approves it",
            "Support is arranged",
        ),
    ),
    "0400703001": ItemEnglish(
        "Residents registered in Guangzhou aged 80 or over may claim the longevity allowance, paid monthly at "
        "rates by age group.",
        "Longevity allowance paid",
        (
            "The senior or a relative applies at a village or community service station, a subdistrict window "
            "or in the Suihaoban app",
            "The household registration and age are checked",
            "The district civil affairs bureau reviews the claim",
            "The allowance is paid monthly from the following month to the social security card or a bank account",
        ),
    ),
    "0100704001": ItemEnglish(
        "A social organisation needs at least 50 individual or 30 institutional members, a proper name and "
        "structure, fixed premises, full-time staff and lawful assets and funding, and the approval of its "
        "supervising authority (unless it may register directly).",
        "Legal person registration certificate of the social organisation",
        (
            "The founders apply for registration",
            "The registration authority accepts and reviews the application",
            "An on-site check is made if needed",
            "The registration is approved",
            "The registration certificate is issued",
        ),
    ),
    # Health.
    "1000801001": ItemEnglish(
        "A child born in a licensed maternity hospital in Guangzhou receives a medical birth certificate from "
        "the hospital; for a birth elsewhere, a designated institution issues it once the birth is verified.",
        "Medical birth certificate",
        (
            "The parents fill in the registration form for the first issue",
            "The hospital checks the parents' identities and the birth details",
            "The certificate is issued (with its electronic version)",
            "The details are passed on to the police, medical insurance and social security for the next steps",
        ),
    ),
    "0100802001": ItemEnglish(
        "Doctors qualified to practise who will work at a medical, prevention or health care institution in "
        "Guangzhou register to practise, provided the Law on Medical Practitioners does not bar them.",
        "Medical practitioner's practising certificate",
        (
            "Apply online in the electronic registration system; your institution confirms it",
            "The health commission reviews the application",
            "The registration is approved",
            "The practising certificate is issued (electronically)",
        ),
    ),
    "0100803001": ItemEnglish(
        "A medical institution must register to practise and obtain a practising licence. It needs premises, "
        "equipment, health professionals and rules that meet the standards.",
        "Medical institution practising licence",
        (
            "Hand in the application for practice registration",
            "The health commission accepts it and reviews the documents",
            "An on-site review is carried out",
            "The registration is approved",
            "The practising licence is issued",
        ),
    ),
    "0100804001": ItemEnglish(
        "Hotels, swimming venues, beauty salons (other than hairdressers and beauty shops) and other public "
        "venues need a hygiene licence. Under the notification-and-commitment scheme, the licence is granted "
        "on the spot once you declare that the conditions are met.",
        "Public venue hygiene licence",
        (
            "Apply, signing the commitment if you choose the notification-and-commitment scheme",
            "The health commission reviews the documents",
            "The licence is decided (on the spot under the commitment scheme)",
            "The hygiene licence is issued; checks follow afterwards",
        ),
    ),
    # Tax.
    "0900901001": ItemEnglish(
        "Businesses and people who have confirmed their tax registration and need invoices after receiving "
        "their business licence may apply for them. Taxpayers in the fully digital e-invoice scheme issue "
        "digital invoices on the e-invoice service platform.",
        "Invoices approved (digital invoicing limit)",
        (
            "Apply at the Electronic Tax Bureau or a tax service hall",
            "The tax office sets the kinds, number and limit of invoices",
            "Done on the spot",
            "Issue invoices on the e-invoice service platform",
        ),
    ),
    "1000902001": ItemEnglish(
        "New taxpayers with a business licence confirm their registration details the first time they deal "
        "with a tax matter; no separate tax registration is needed.",
        "Tax registration details confirmed",
        (
            "Log in to the Electronic Tax Bureau or go to a tax service hall",
            "Confirm the details shared by market regulation and add your accounting system and other details",
            "The tax office confirms them at once",
            "Tax types and invoices can be arranged at the same time",
        ),
    ),
    "0100903001": ItemEnglish(
        "General VAT taxpayers, and small-scale taxpayers allowed to issue special VAT invoices, may apply to "
        "change their maximum invoicing limit. Applications for a limit under CNY 100,000 are usually decided "
        "on the spot.",
        "Decision granting the tax administrative licence",
        (
            "Apply at the Electronic Tax Bureau or a tax service hall",
            "The tax office reviews the application and the business",
            "An on-site check is made if needed",
            "The licence is granted",
            "The invoicing limit is changed",
        ),
    ),
    "1000904001": ItemEnglish(
        "Buyer and seller of a second-hand home file and pay deed tax, VAT, individual income tax and other "
        "taxes before the transfer registration. At the one-stop real estate window the taxes and the "
        "registration are handled together.",
        "Tax payment certificate (electronic)",
        (
            "Buyer and seller hand in the documents at the one-stop window, or file online in the Suihaoban app",
            "The tax office sets the taxable value and the taxes due",
            "The taxes are paid",
            "The payment certificate is issued and passed on to the real estate registry",
        ),
    ),
    "1000905001": ItemEnglish(
        "Before deregistering, a taxpayer pays all taxes, late fees and fines and hands in unused invoices. A "
        "taxpayer not under tax inspection, owing no tax and with nothing pending gets the certificate at once.",
        "Tax clearance certificate",
        (
            "File the clearance return at the Electronic Tax Bureau or a tax service hall",
            "The tax office checks returns, payments and invoices",
            "Pay any tax due and hand in unused invoices",
            "The clearance certificate is issued and passed on to the business registry",
        ),
    ),
    "1000906001": ItemEnglish(
        "Residents with comprehensive income who owe tax or want a refund file the annual reconciliation "
        "between 1 March and 30 June of the following year.",
        "Annual individual income tax return filed",
        (
            "File in the Individual Income Tax app or at a tax service hall",
            "Check your income, special additional deductions and other details",
            "Submit the return and pay any tax due",
            "If you claim a refund, it is paid after the tax office's review",
        ),
    ),
    # Housing and urban-rural development.
    "0101001001": ItemEnglish(
        "A developer may apply to sell before completion once it has paid all land-grant fees and holds the "
        "land use certificate, the planning and construction permits, has invested at least 25% of the total "
        "and fixed the construction schedule and handover date.",
        "Commercial housing pre-sale permit",
        (
            "The developer applies in the real estate transaction system",
            "Housing and urban-rural development reviews the documents",
            "The progress of the works is inspected on site",
            "The permit is decided and the pre-sale permit issued",
            "The pre-sale plan and the homes for sale are published",
        ),
    ),
    "0101002001": ItemEnglish(
        "The developer has land approval and a planning permit, the site is ready for work, the contractor is "
        "chosen, the technical documents and quality and safety measures are in place and the funds are secured.",
        "Construction permit",
        (
            "The developer applies in the joint approval system for construction projects",
            "Housing and urban-rural development reviews the application",
            "Major or technically complex projects are reviewed by experts",
            "The permit is granted or refused",
            "The construction permit is issued (electronically)",
        ),
    ),
    "1001003001": ItemEnglish(
        "Buyer and seller of a second-hand home, dealing directly or through an agent, sign the sale contract "
        "in the online filing system and file it. The home may not be seized, or mortgaged without the "
        "mortgagee's consent, or otherwise barred from sale.",
        "Filed second-hand home sale contract",
        (
            "Buyer and seller, or the agent, enter the contract in the online system",
            "The system checks the ownership and any restrictions",
            "Both sign the contract online",
            "It is filed at once and shared with the tax office and the real estate registry",
        ),
    ),
    # Transport.
    "0101101001": ItemEnglish(
        "Carrying goods by road for hire in ordinary trucks of 4,500 kg gross weight or more requires tested "
        "vehicles suited to the business, qualified drivers and sound safety rules.",
        "Road transport business licence",
        (
            "Apply on the Guangdong Government Service website or at the window",
            "The transport bureau reviews the documents",
            "The licence is granted or refused",
            "The road transport business licence is issued",
            "Road transport certificates are issued for the vehicles",
        ),
    ),
    "0101102001": ItemEnglish(
        "People with a driving licence for the vehicle class and at least 3 years' driving experience, no "
        "record of traffic crimes, dangerous driving, drug use or violent crime, who pass the examination, "
        "may apply.",
        "Ride-hailing driver's permit",
        (
            "Apply and take the national and local examinations",
            "The transport bureau and the police check driving and criminal records",
            "The permit is granted or refused",
            "The driver's permit is issued (electronically)",
        ),
    ),
    "0101102002": ItemEnglish(
        "Vehicles of a licensed ride-hailing platform must be passenger cars of 7 seats or fewer with satellite "
        "positioning that records journeys and an emergency alarm, and meet the safety standards for service.",
        "Ride-hailing vehicle transport permit",
        (
            "The platform or the vehicle owner applies",
            "The transport bureau checks the vehicle",
            "The permit is granted or refused",
            "The transport permit is issued",
        ),
    ),
    # Education.
    "0601201001": ItemEnglish(
        "Chinese citizens who abide by the Constitution and the law, love teaching, are of good character, "
        "hold the required education and Putonghua level, have passed the teacher qualification examination "
        "(or are exempt) and are medically fit may apply.",
        "Teacher qualification certificate",
        (
            "Register online on the China Teacher Qualification website",
            "Have a medical examination at a designated hospital",
            "The certifying body reviews the documents",
            "The certification is decided",
            "The teacher qualification certificate is issued (with its electronic version)",
        ),
    ),
    "1001202001": ItemEnglish(
        "Primary and secondary students who need to change school because the family moved or a guardian's "
        "job changed may apply once the receiving school agrees. Transfers between school stages, and in the "
        "final year, are generally not made.",
        "Student records transferred",
        (
            "The guardian applies to the receiving school",
            "Once it agrees, the receiving school starts the transfer in the student records system",
            "The current school and the education bureau review it",
            "The records are transferred and the student reports to the new school",
        ),
    ),
    "0101203001": ItemEnglish(
        "The sponsor is a legal person or a citizen with full civil capacity and political rights, with premises, "
        "equipment, teachers and funds suited to the school's size and a charter and governing body that meet "
        "the rules.",
        "Private school licence",
        (
            "The sponsor applies for formal establishment",
            "The education bureau reviews the documents",
            "Experts review the application and visit the site",
            "The establishment is approved or refused",
            "The school licence is issued",
        ),
    ),
    # Justice.
    "1001301001": ItemEnglish(
        "Citizens who cannot afford a lawyer may apply for legal aid in claims for social insurance benefits, "
        "unpaid wages, maintenance and similar matters. In the cases the law sets out, financial hardship is "
        "not required.",
        "Decision granting legal aid and assignment notice",
        (
            "Apply at a legal aid office, a subdistrict public legal service station or on the 12348 platform",
            "The legal aid office checks your finances and the matter",
            "Legal aid is granted or refused",
            "A lawyer or legal aid worker is assigned to you",
        ),
    ),
    "1001302001": ItemEnglish(
        "People and organisations who need the truth and lawfulness of a civil act, a fact of legal "
        "significance or a document certified (birth, kinship, marital status, education, no criminal record "
        "and the like) may apply to a notary office.",
        "Notarial certificate",
        (
            "Apply in the Yueshengshi app, on the notary office's website or in person",
            "The notary checks your identity and the request",
            "The documents are verified, with further enquiries if needed",
            "The notarial certificate is issued",
            "Collect it or have it sent; certificates for use abroad, in Hong Kong, Macao or Taiwan can be "
            "delivered for use",
        ),
    ),
    "1001303001": ItemEnglish(
        "Parties to a civil dispute (neighbours, marriage and family, property management, work and the like) "
        "who both agree to mediation may apply to a people's mediation committee. Disputes already before a "
        "court or arbitration body, or that the law excludes from mediation, are not accepted.",
        "People's mediation agreement (or notice that mediation ended)",
        (
            "Apply to the people's mediation committee orally or in writing",
            "The committee accepts it once both parties agree",
            "A mediator is appointed and holds the mediation",
            "If the parties agree, a mediation agreement is drawn up",
            "If needed, the parties are helped to apply for judicial confirmation",
        ),
    ),
}
# fmt: on


# --- Common names in English (the search's English aliases), by item code -----------------------

# What an English speaker types for the item: the thing wanted ("open a restaurant"), the
# document ("business licence"), the everyday name ("housing fund", "ID card"). Searched just below
# the English name, as the Chinese aliases are below the Chinese name (docs/search.md).
# fmt: off
ALIASES: dict[str, tuple[str, ...]] = {
    # Public security
    "0600101001": ("ID card", "identity card", "first ID card", "ID card for a child", "ID card at 16"),
    "0600101002": ("ID card", "identity card", "renew ID card", "ID card expired", "new ID card after a name change"),
    "0600101003": ("ID card", "identity card", "lost ID card", "replace ID card", "stolen ID card",
                   "temporary ID card"),
    "0600102001": ("hukou", "move hukou to Guangzhou", "household registration transfer", "settle in Guangzhou",
                   "talent hukou", "points-based hukou"),
    "0600102002": ("hukou for a baby", "register a newborn", "newborn hukou", "have a baby", "birth",
                   "household register"),
    "1000102003": ("hukou certificate", "household registration certificate", "proof of kinship",
                   "certificate from the police station"),
    "0100103001": ("Hong Kong permit", "Macao permit", "go to Hong Kong", "go to Macau", "travel to Hong Kong",
                   "endorsement", "Hong Kong visa"),
    "0100103002": ("passport", "apply for a passport", "travel abroad", "passport expired", "renew passport"),
    "0100103003": ("Taiwan permit", "go to Taiwan", "Taiwan endorsement", "endorsement"),
    "0100104001": ("number plates", "car plates", "register a new car", "license plate", "vehicle registration"),
    "0100104002": ("driving licence", "driver's licence", "renew driving licence", "driving licence expired"),
    "0900104003": ("annual car inspection", "MOT", "inspection sticker", "vehicle inspection"),
    # Market regulation
    "0100201001": ("business licence", "register a company", "set up a company", "start a company",
                   "company registration", "open a company"),
    "0100201002": ("change company name", "change business licence", "change legal representative",
                   "change business scope", "increase registered capital"),
    "0100201003": ("close a company", "close down a company", "deregister a company", "wind up a company"),
    "0100201004": ("business licence", "sole trader", "self-employed", "open a shop", "open a restaurant",
                   "open an online shop", "small business"),
    "0100202001": ("open a restaurant", "food licence", "food business licence", "catering licence",
                   "open a cafe", "open a bubble tea shop", "sell food"),
    "0100203001": ("open a pharmacy", "pharmacy licence", "drug licence", "open a drugstore"),
    "0100204001": ("lift registration", "elevator registration", "boiler registration", "special equipment"),
    "0700205001": ("report fake goods", "whistleblower reward", "report a violation", "reward for reporting"),
    # Human resources and social security
    "1000301001": ("social insurance", "employer social insurance account", "company social insurance",
                   "pay social insurance for staff"),
    "1000301002": ("social insurance", "pay my own social insurance", "freelancer social insurance",
                   "self-employed social insurance"),
    "1000301003": ("social insurance", "close social insurance account", "employer social insurance closure"),
    "1000301004": ("social insurance", "transfer social insurance", "move pension insurance",
                   "transfer pension to another city"),
    "1000302001": ("social security card", "social insurance card", "replace social security card",
                   "medical insurance card"),
    "0600303001": ("retirement", "retire", "apply to retire", "retirement procedure"),
    "0400303002": ("pension", "retirement pension", "claim my pension", "retirement"),
    "0400303003": ("pension", "residents' pension", "rural pension", "claim my pension"),
    "0400304001": ("unemployment benefit", "unemployment insurance", "lost my job", "jobless benefit"),
    "0900305001": ("labour arbitration", "unpaid wages", "boss not paying wages", "wrongful dismissal",
                   "employment dispute"),
    "1000306001": ("unemployment registration", "employment registration", "employment certificate"),
    # Healthcare security
    "1000401001": ("medical insurance", "residents' medical insurance", "buy medical insurance",
                   "medical insurance for a newborn", "student medical insurance", "have a baby"),
    "1000401002": ("medical insurance", "retiree medical insurance", "medical insurance after retirement"),
    "1000402001": ("medical treatment in another city", "see a doctor in another province",
                   "out-of-town medical treatment", "medical insurance registration"),
    "0400403001": ("maternity allowance", "maternity insurance", "maternity leave pay", "have a baby"),
    "0600404001": ("chronic disease", "outpatient special disease", "long-term illness"),
    "0400403002": ("medical expenses reimbursement", "claim medical bills", "medical insurance reimbursement"),
    # Real estate
    "0600501001": ("property transfer", "transfer a flat", "second-hand home transfer", "buy a second-hand home",
                   "sell a flat", "property certificate"),
    "0600501002": ("mortgage registration", "mortgage a flat", "home loan mortgage"),
    "0600501003": ("lost property certificate", "replace property certificate", "title deed lost",
                   "property certificate"),
    "0600501004": ("property certificate", "title deed", "new home certificate", "property ownership certificate"),
    "0800502001": ("land dispute", "homestead dispute", "land ownership dispute"),
    "0100503001": ("planning permit", "building planning permit", "construction planning approval"),
    # Housing provident fund
    "1000601001": ("withdraw housing fund", "housing fund withdrawal", "provident fund withdrawal",
                   "housing fund for buying a home", "housing fund"),
    "1000601002": ("withdraw housing fund", "housing fund withdrawal", "provident fund withdrawal",
                   "housing fund for rent", "pay rent with housing fund", "housing fund"),
    "1000602001": ("housing fund loan", "provident fund loan", "home loan", "mortgage", "housing fund"),
    "1000603001": ("open housing fund account", "employer housing fund", "company housing fund"),
    "1000603002": ("close housing fund account", "employer housing fund closure"),
    # Civil affairs
    "0600701001": ("get married", "marriage certificate", "marriage registration", "wedding"),
    "0600701002": ("divorce", "divorce certificate", "get divorced"),
    "0400702001": ("minimum living allowance", "dibao", "welfare", "low-income allowance", "hardship allowance"),
    "0400702002": ("extreme poverty", "destitute support", "hardship allowance"),
    "0400703001": ("longevity allowance", "old age allowance", "allowance for people over 80", "senior allowance"),
    "0100704001": ("set up an association", "chamber of commerce", "register a social organisation"),
    # Health
    "1000801001": ("birth certificate", "medical birth certificate", "newborn birth certificate", "have a baby",
                   "birth"),
    "0100802001": ("doctor registration", "medical licence", "doctor's practising certificate"),
    "0100803001": ("open a clinic", "open a hospital", "clinic licence"),
    "0100804001": ("hygiene licence", "open a beauty salon", "open a hair salon", "open a hotel",
                   "open a swimming pool"),
    # Taxation
    "0900901001": ("invoices", "get invoices", "apply for invoices", "fapiao"),
    "1000902001": ("tax registration", "register for tax", "new company tax"),
    "0100903001": ("VAT invoice limit", "special VAT invoice", "raise invoicing limit"),
    "1000904001": ("deed tax", "property transaction tax", "tax on a second-hand home", "home purchase tax"),
    "1000905001": ("tax clearance", "tax deregistration", "tax clearance certificate"),
    "1000906001": ("income tax", "tax refund", "annual tax return", "individual income tax"),
    # Housing and construction
    "0101001001": ("pre-sale permit", "sell off-plan flats", "presale licence"),
    "0101002001": ("construction permit", "building permit", "start construction"),
    "1001003001": ("online contract signing", "second-hand home contract", "buy a second-hand home",
                   "sale contract filing"),
    # Transport
    "0101101001": ("freight licence", "road transport licence", "open a logistics company", "truck operating permit"),
    "0101102001": ("ride-hailing", "ride-hailing driver", "Didi driver", "online taxi driver", "driver's permit"),
    "0101102002": ("ride-hailing", "ride-hailing car permit", "vehicle transport permit"),
    # Education
    "0601201001": ("teacher certificate", "teaching qualification", "become a teacher"),
    "1001202001": ("school transfer", "change school", "transfer my child to another school"),
    "0101203001": ("school licence", "open a training centre", "open a school", "private school"),
    # Justice
    "1001301001": ("legal aid", "free lawyer", "cannot afford a lawyer", "find a lawyer"),
    "1001302001": ("notary", "notarisation", "notarial certificate", "notarise documents for abroad"),
    "1001303001": ("mediation", "neighbour dispute", "dispute mediation", "people's mediation"),
}
# fmt: on


# --- Legal and fee bases ---------------------------------------------------------------------------

# The laws, regulations and notices the demo guides cite, by their Chinese title (without 《》), in
# their usual English titles. ``legal_basis`` turns a line such as
# 《中华人民共和国居民身份证法》第二条、第八条 into "Resident Identity Card Law of the People's
# Republic of China, Articles 2 and 8", with its order or document number.
# fmt: off
LAW_TITLES: dict[str, str] = {
    "中华人民共和国居民身份证法": "Resident Identity Card Law of the People's Republic of China",
    "国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知": (
        "Notice of the NDRC and the Ministry of Finance on the Fees for Resident Identity Cards"
    ),
    "公安部关于建立居民身份证异地受理挂失申报和丢失招领制度的意见": (
        "Opinions of the Ministry of Public Security on Accepting Identity Card Applications and Loss Reports "
        "outside the Place of Registration"
    ),
    "中华人民共和国临时居民身份证管理办法": "Measures of the People's Republic of China on Temporary Resident Identity Cards",
    "中华人民共和国户口登记条例": "Regulations of the People's Republic of China on Household Registration",
    "国务院关于进一步推进户籍制度改革的意见": "Opinions of the State Council on Further Reform of the Household Registration System",
    "国务院办公厅关于解决无户口人员登记户口问题的意见": (
        "Opinions of the General Office of the State Council on Registering People without Household Registration"
    ),
    "公安部关于改进和规范公安派出所出具证明工作的意见": (
        "Opinions of the Ministry of Public Security on Certificates Issued by Police Stations"
    ),
    "中华人民共和国出境入境管理法": "Exit and Entry Administration Law of the People's Republic of China",
    "中国公民因私事往来香港地区或者澳门地区的暂行管理办法": (
        "Interim Measures on Chinese Citizens Travelling to Hong Kong or Macao for Private Purposes"
    ),
    "国家发展改革委 财政部关于降低部分行政事业性收费标准的通知": (
        "Notice of the NDRC and the Ministry of Finance on Lowering Certain Administrative Fees"
    ),
    "中华人民共和国护照法": "Passport Law of the People's Republic of China",
    "中国公民往来台湾地区管理办法": "Measures on Chinese Citizens Travelling to and from Taiwan",
    "中华人民共和国道路交通安全法": "Road Traffic Safety Law of the People's Republic of China",
    "机动车登记规定": "Provisions on Motor Vehicle Registration",
    "机动车驾驶证申领和使用规定": "Provisions on the Application for and Use of Motor Vehicle Driving Licences",
    "公安部 国家市场监督管理总局关于深化机动车检验制度改革优化车检服务工作的意见": (
        "Opinions of the Ministry of Public Security and the SAMR on Reforming Motor Vehicle Inspection"
    ),
    "中华人民共和国公司法": "Company Law of the People's Republic of China",
    "中华人民共和国市场主体登记管理条例": "Regulations of the People's Republic of China on the Registration of Market Entities",
    "中华人民共和国市场主体登记管理条例实施细则": (
        "Implementing Rules of the Regulations on the Registration of Market Entities"
    ),
    "促进个体工商户发展条例": "Regulations on Promoting the Development of Individual Businesses",
    "中华人民共和国食品安全法": "Food Safety Law of the People's Republic of China",
    "食品经营许可和备案管理办法": "Measures on Food Business Licensing and Filing",
    "中华人民共和国药品管理法": "Drug Administration Law of the People's Republic of China",
    "药品经营和使用质量监督管理办法": "Measures on the Quality Supervision of Drug Distribution and Use",
    "中华人民共和国特种设备安全法": "Special Equipment Safety Law of the People's Republic of China",
    "特种设备使用管理规则": "Rules on the Use of Special Equipment",
    "市场监管领域重大违法行为举报奖励暂行办法": (
        "Interim Measures on Rewards for Reporting Major Violations in Market Regulation"
    ),
    "中华人民共和国社会保险法": "Social Insurance Law of the People's Republic of China",
    "社会保险费申报缴纳管理规定": "Provisions on Declaring and Paying Social Insurance Contributions",
    "广东省社会养老保险实施办法": "Guangdong Provincial Measures on Social Pension Insurance",
    "社会保险登记管理暂行办法": "Interim Measures on Social Insurance Registration",
    "城镇企业职工基本养老保险关系转移接续暂行办法": (
        "Interim Measures on Transferring Urban Employees' Basic Pension Insurance"
    ),
    "社会保障卡管理办法": "Measures on Social Security Cards",
    "全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定": (
        "Decision of the NPC Standing Committee on Gradually Raising the Statutory Retirement Age"
    ),
    "国务院关于工人退休、退职的暂行办法": "Interim Measures of the State Council on the Retirement and Resignation of Workers",
    "国务院关于完善企业职工基本养老保险制度的决定": (
        "Decision of the State Council on Improving the Basic Pension Insurance of Enterprise Employees"
    ),
    "国务院关于建立统一的城乡居民基本养老保险制度的意见": (
        "Opinions of the State Council on a Unified Basic Pension Insurance for Urban and Rural Residents"
    ),
    "失业保险条例": "Regulations on Unemployment Insurance",
    "失业保险金申领发放办法": "Measures on Claiming and Paying Unemployment Benefits",
    "中华人民共和国劳动争议调解仲裁法": "Law of the People's Republic of China on Labour Dispute Mediation and Arbitration",
    "劳动人事争议仲裁办案规则": "Rules for Handling Labour and Personnel Dispute Arbitration",
    "中华人民共和国就业促进法": "Employment Promotion Law of the People's Republic of China",
    "就业服务与就业管理规定": "Provisions on Employment Services and Employment Management",
    "广州市社会医疗保险办法": "Guangzhou Measures on Social Medical Insurance",
    "国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知": (
        "Notice of the National Healthcare Security Administration and the Ministry of Finance on Direct "
        "Settlement of Medical Treatment in Other Provinces"
    ),
    "广东省职工生育保险规定": "Guangdong Provincial Provisions on Employees' Maternity Insurance",
    "广州市社会医疗保险门诊特定病种管理办法": (
        "Guangzhou Measures on Outpatient Treatment of Specified Diseases under Social Medical Insurance"
    ),
    "中华人民共和国民法典": "Civil Code of the People's Republic of China",
    "不动产登记暂行条例": "Interim Regulations on Real Estate Registration",
    "不动产登记暂行条例实施细则": "Implementing Rules of the Interim Regulations on Real Estate Registration",
    "国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知": (
        "Notice of the NDRC and the Ministry of Finance on the Fees for Real Estate Registration"
    ),
    "中华人民共和国土地管理法": "Land Administration Law of the People's Republic of China",
    "土地权属争议调查处理办法": "Measures on Investigating and Settling Land Ownership Disputes",
    "中华人民共和国城乡规划法": "Urban and Rural Planning Law of the People's Republic of China",
    "广州市城乡规划条例": "Guangzhou Regulations on Urban and Rural Planning",
    "住房公积金管理条例": "Regulations on the Administration of Housing Provident Funds",
    "广州市住房公积金提取管理办法": "Guangzhou Measures on Withdrawing Housing Provident Funds",
    "广州市住房公积金个人住房贷款管理办法": "Guangzhou Measures on Housing Provident Fund Home Loans",
    "婚姻登记条例": "Regulations on Marriage Registration",
    "社会救助暂行办法": "Interim Measures on Social Assistance",
    "最低生活保障审核确认办法": "Measures on Approving the Minimum Living Allowance",
    "特困人员认定办法": "Measures on Recognising Persons in Extreme Poverty",
    "中华人民共和国老年人权益保障法": "Law of the People's Republic of China on the Protection of the Rights of the Elderly",
    "广州市高龄老人长寿保健金发放管理办法": "Guangzhou Measures on the Longevity Allowance for Senior Citizens",
    "社会团体登记管理条例": "Regulations on the Registration of Social Organisations",
    "中华人民共和国母婴保健法": "Law of the People's Republic of China on Maternal and Infant Health Care",
    "国家卫生健康委办公厅关于做好出生医学证明管理工作的通知": (
        "Notice of the General Office of the National Health Commission on Medical Birth Certificates"
    ),
    "中华人民共和国医师法": "Physicians Law of the People's Republic of China",
    "医师执业注册管理办法": "Measures on the Practice Registration of Physicians",
    "医疗机构管理条例": "Regulations on the Administration of Medical Institutions",
    "医疗机构管理条例实施细则": "Implementing Rules of the Regulations on the Administration of Medical Institutions",
    "公共场所卫生管理条例": "Regulations on Hygiene in Public Venues",
    "公共场所卫生管理条例实施细则": "Implementing Rules of the Regulations on Hygiene in Public Venues",
    "中华人民共和国发票管理办法": "Measures of the People's Republic of China on the Administration of Invoices",
    "中华人民共和国发票管理办法实施细则": "Implementing Rules of the Measures on the Administration of Invoices",
    "中华人民共和国税收征收管理法": "Law of the People's Republic of China on the Administration of Tax Collection",
    "税务登记管理办法": "Measures on Tax Registration",
    "国务院对确需保留的行政审批项目设定行政许可的决定": (
        "Decision of the State Council on Administrative Licences for the Approval Items to Be Retained"
    ),
    "中华人民共和国行政许可法": "Administrative Licensing Law of the People's Republic of China",
    "中华人民共和国契税法": "Deed Tax Law of the People's Republic of China",
    "中华人民共和国个人所得税法": "Individual Income Tax Law of the People's Republic of China",
    "中华人民共和国税收征收管理法实施细则": "Implementing Rules of the Law on the Administration of Tax Collection",
    "国家税务总局关于进一步优化办理企业税务注销程序的通知": (
        "Notice of the State Taxation Administration on Simplifying Tax Deregistration of Enterprises"
    ),
    "中华人民共和国个人所得税法实施条例": "Implementing Regulations of the Individual Income Tax Law",
    "中华人民共和国城市房地产管理法": "Law of the People's Republic of China on the Administration of Urban Real Estate",
    "城市商品房预售管理办法": "Measures on the Pre-sale of Urban Commercial Housing",
    "中华人民共和国建筑法": "Construction Law of the People's Republic of China",
    "建筑工程施工许可管理办法": "Measures on Construction Permits for Building Projects",
    "住房和城乡建设部关于进一步规范和加强房屋网签备案工作的指导意见": (
        "Guiding Opinions of the Ministry of Housing and Urban-Rural Development on Online Signing and Filing "
        "of Housing Contracts"
    ),
    "中华人民共和国道路运输条例": "Regulations of the People's Republic of China on Road Transport",
    "道路货物运输及站场管理规定": "Provisions on Road Freight Transport and Freight Stations",
    "网络预约出租汽车经营服务管理暂行办法": "Interim Measures on Ride-hailing Services",
    "出租汽车驾驶员从业资格管理规定": "Provisions on the Qualifications of Taxi Drivers",
    "广州市网络预约出租汽车经营服务管理暂行办法": "Guangzhou Interim Measures on Ride-hailing Services",
    "中华人民共和国教师法": "Teachers Law of the People's Republic of China",
    "教师资格条例": "Regulations on Teacher Qualifications",
    "〈教师资格条例〉实施办法": "Implementing Measures of the Regulations on Teacher Qualifications",
    "中华人民共和国义务教育法": "Compulsory Education Law of the People's Republic of China",
    "中小学生学籍管理办法": "Measures on the Records of Primary and Secondary School Students",
    "中华人民共和国民办教育促进法": "Law of the People's Republic of China on the Promotion of Private Education",
    "中华人民共和国民办教育促进法实施条例": "Implementing Regulations of the Law on the Promotion of Private Education",
    "中华人民共和国法律援助法": "Legal Aid Law of the People's Republic of China",
    "广东省法律援助条例": "Guangdong Provincial Regulations on Legal Aid",
    "中华人民共和国公证法": "Notarisation Law of the People's Republic of China",
    "公证程序规则": "Rules on Notarial Procedure",
    "中华人民共和国人民调解法": "People's Mediation Law of the People's Republic of China",
    "广东省实施〈中华人民共和国人民调解法〉办法": (
        "Guangdong Provincial Measures for Implementing the People's Mediation Law"
    ),
}
# Who issued an order (……令第N号).
ISSUERS: dict[str, str] = {
    "国务院": "State Council",
    "公安部": "Ministry of Public Security",
    "国家市场监督管理总局": "State Administration for Market Regulation",
    "人力资源社会保障部": "Ministry of Human Resources and Social Security",
    "劳动和社会保障部": "Ministry of Labour and Social Security",
    "国土资源部": "Ministry of Land and Resources",
    "国家卫生和计划生育委员会": "National Health and Family Planning Commission",
    "住房和城乡建设部": "Ministry of Housing and Urban-Rural Development",
    "教育部": "Ministry of Education",
    "司法部": "Ministry of Justice",
}
# Document numbers (国发〔2014〕25号) keep their issuing code, romanised as usual in English.
DOCUMENT_CODES: dict[str, str] = {
    "国发": "Guo Fa",
    "国办发": "Guo Ban Fa",
    "公治": "Gong Zhi",
    "国市监稽规": "Guo Shi Jian Ji Gui",
    "医保发": "Yi Bao Fa",
    "民发": "Min Fa",
    "教基一": "Jiao Ji Yi",
    "税总发": "Shui Zong Fa",
    "建房": "Jian Fang",
    "发改价格": "Fa Gai Jia Ge",
    "发改价格规": "Fa Gai Jia Ge Gui",
}
# Fee bases that are not a titled document.
FEE_BASES: dict[str, str] = {
    "国家和广东省公安交通管理收费标准有关规定": "National and Guangdong provisions on traffic police fees",
    "广东省发展改革委、广东省司法厅公布的公证服务收费标准": (
        "Notarial fees published by the Guangdong Development and Reform Commission and the Guangdong "
        "Department of Justice"
    ),
}
# fmt: on

_CHINESE_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
_LINE = re.compile(r"^《(?P<title>.+?)》(?:（(?P<note>[^）]*)）)?(?P<rest>.*)$")
_ARTICLE = re.compile(r"第([零一二三四五六七八九十百千]+)条")
_ORDER = re.compile(r"^(?P<issuer>.+?)令第(?P<number>\d+)号$")
_DOCUMENT = re.compile(r"^(?P<code>[^〔]+)〔(?P<year>\d{4})〕(?P<number>\d+)号$")
_ANNEX_ITEM = re.compile(r"^附件第(\d+)项$")


def chinese_number(text: str) -> int:
    """一千零七十六 → 1076, 十五 → 15 (the article numbers of Chinese laws)."""
    total, digit = 0, 0
    for char in text:
        if char in _CHINESE_DIGITS:
            digit = _CHINESE_DIGITS[char]
        else:
            total += (digit or 1) * _CHINESE_UNITS[char]
            digit = 0
    return total + digit


def _articles(text: str) -> str:
    """第九条至第十六条 → "Articles 9 to 16"; 第二条、第八条、第十条 → "Articles 2, 8 and 10";
    附件第236项 → "Annex, item 236"; blank if anything is left unread."""
    if not text:
        return ""
    annex = _ANNEX_ITEM.match(text)
    if annex:
        return f"Annex, item {annex.group(1)}"
    numbers = [str(chinese_number(n)) for n in _ARTICLE.findall(text)]
    if not numbers or _ARTICLE.sub("", text).strip("、至"):
        return ""
    if "至" in text and len(numbers) == 2:
        return f"Articles {numbers[0]} to {numbers[1]}"
    if len(numbers) == 1:
        return f"Article {numbers[0]}"
    return f"Articles {', '.join(numbers[:-1])} and {numbers[-1]}"


def _note(text: str) -> str:
    """What follows a title in brackets: an order, a document number, or a short remark."""
    order = _ORDER.match(text)
    if order and order.group("issuer") in ISSUERS:
        return f"Order No. {order.group('number')} of the {ISSUERS[order.group('issuer')]}"
    document = _DOCUMENT.match(text)
    if document and document.group("code") in DOCUMENT_CODES:
        return f"{DOCUMENT_CODES[document.group('code')]} [{document.group('year')}] No. {document.group('number')}"
    return {"工本费": "card fee", "TSG 08": "TSG 08"}.get(text, "")


def legal_basis(text: str) -> str:
    """The English of a legal or fee basis, line by line; blank if any line has none."""
    if not text:
        return ""
    lines = []
    for line in text.splitlines():
        if line in FEE_BASES:
            lines.append(FEE_BASES[line])
            continue
        match = _LINE.match(line)
        title = LAW_TITLES.get(match.group("title"), "") if match else ""
        if not match or not title:
            return ""
        english = title
        note, rest = match.group("note"), match.group("rest")
        if note:
            note_en = _note(note)
            if not note_en:
                return ""
            english += f" ({note_en})"
        if rest:
            articles = _articles(rest) or _articles(rest.replace("（工本费）", ""))
            if not articles:
                return ""
            english += f", {articles}" + (" (card fee)" if "（工本费）" in rest else "")
        lines.append(english)
    return "\n".join(lines)
