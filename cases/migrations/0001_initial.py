# Cases (issue 10): applications, their clocks, checklists, notices, owed materials, clock stops, extensions, history.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalog', '0006_guide_deferral_and_extension'),
        ('queueing', '0002_dashboard_targets'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Applicant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('person', '自然人'), ('organisation', '法人或其他组织')], max_length=12, verbose_name='类型')),
                ('identity_key', models.CharField(help_text='自然人为身份证号码的摘要，法人为统一社会信用代码。', max_length=64, verbose_name='识别码')),
                ('id_masked', models.CharField(blank=True, max_length=18, verbose_name='证件号（脱敏）')),
                ('credit_code', models.CharField(blank=True, max_length=18, verbose_name='统一社会信用代码')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
            ],
            options={
                'verbose_name': '申请人',
                'verbose_name_plural': '申请人',
                'constraints': [models.UniqueConstraint(fields=('kind', 'identity_key'), name='applicant_once'), models.CheckConstraint(condition=models.Q(models.Q(('credit_code', ''), ('kind', 'person')), models.Q(('id_masked', ''), ('kind', 'organisation')), _connector='OR'), name='applicant_one_identity')],
            },
        ),
        migrations.CreateModel(
            name='Case',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(help_text='事项编码 + 收件日期（yyyyMMdd）+ 当日4位流水号。', max_length=24, unique=True, verbose_name='办件编号')),
                ('progress_token', models.CharField(max_length=32, unique=True, verbose_name='进度查询令牌')),
                ('channel', models.CharField(choices=[('window', '窗口'), ('mail', '邮寄'), ('online', '网上')], max_length=8, verbose_name='收件渠道')),
                ('applicant_name', models.CharField(max_length=100, verbose_name='申请人名称')),
                ('contact_name', models.CharField(blank=True, max_length=40, verbose_name='经办人')),
                ('contact_mobile', models.CharField(help_text='用于发送补正、容缺和办结提醒，页面上始终脱敏显示。', max_length=11, verbose_name='联系手机')),
                ('status', models.CharField(choices=[('received', '已收件'), ('correction', '待补正'), ('not_accepted', '不予受理'), ('accepted', '已受理'), ('in_review', '审查中'), ('special_step', '特殊环节'), ('decided', '已作出决定'), ('result_ready', '待领取结果'), ('collected', '已办结出件')], default='received', max_length=14, verbose_name='状态')),
                ('received_at', models.DateTimeField(verbose_name='收件时间')),
                ('received_on', models.DateField(verbose_name='收件日期')),
                ('accepted_on', models.DateField(blank=True, null=True, verbose_name='受理日期')),
                ('deferred', models.BooleanField(default=False, verbose_name='容缺受理')),
                ('limit_days', models.PositiveSmallIntegerField(blank=True, help_text='受理时所依据指南版本的承诺时限。', null=True, verbose_name='承诺办结时限（工作日）')),
                ('extension_days', models.PositiveSmallIntegerField(default=0, verbose_name='已延长（工作日）')),
                ('due_on', models.DateField(blank=True, help_text='计时暂停（等待补正、特殊环节）期间为空。', null=True, verbose_name='办结期限')),
                ('due_provisional', models.BooleanField(default=False, help_text='期限跨越尚未公布放假安排的年度，公布后自动重算。', verbose_name='期限待确认')),
                ('clock_stopped_on', models.DateField(blank=True, null=True, verbose_name='计时暂停日期')),
                ('not_accepted_reason', models.TextField(blank=True, verbose_name='不予受理理由')),
                ('refer_to', models.CharField(blank=True, max_length=200, verbose_name='告知向何处申请')),
                ('decision', models.CharField(blank=True, choices=[('', '未决定'), ('approved', '准予'), ('refused', '不予批准')], default='', max_length=10, verbose_name='决定')),
                ('decision_reason', models.TextField(blank=True, verbose_name='决定理由')),
                ('decided_on', models.DateField(blank=True, null=True, verbose_name='决定日期')),
                ('result_ready_at', models.DateTimeField(blank=True, null=True, verbose_name='结果生成时间')),
                ('collection', models.CharField(blank=True, choices=[('', '未出件'), ('window', '窗口领取'), ('post', '邮寄送达'), ('electronic', '电子送达')], default='', max_length=10, verbose_name='出件方式')),
                ('collection_note', models.CharField(blank=True, max_length=200, verbose_name='出件说明')),
                ('collected_at', models.DateTimeField(blank=True, null=True, verbose_name='出件时间')),
                ('owed_overdue', models.BooleanField(default=False, verbose_name='容缺材料逾期未补')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('accepted_by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='受理人')),
                ('applicant', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='cases.applicant', verbose_name='申请人')),
                ('decided_by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='决定人')),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='catalog.department', verbose_name='实施部门')),
                ('guide_version', models.ForeignKey(help_text='收件时现行有效的版本；此后指南修订不影响本件。', on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='catalog.guideversion', verbose_name='办事指南版本')),
                ('hall', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='catalog.hall', verbose_name='大厅')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='catalog.serviceitem', verbose_name='事项')),
                ('received_by', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='收件人')),
                ('ticket', models.ForeignKey(blank=True, help_text='窗口叫号办理时的排队号：一个号办理的事项及其结果。', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cases', to='queueing.ticket', verbose_name='排队号')),
                ('window', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cases', to='queueing.window', verbose_name='收件窗口')),
            ],
            options={
                'verbose_name': '办件',
                'verbose_name_plural': '办件',
                'ordering': ['-received_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='CaseEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('received', '收件'), ('accepted', '受理'), ('notice', '一次性告知'), ('corrections', '补正材料'), ('not_accepted', '不予受理'), ('review', '开始审查'), ('step_started', '特殊环节开始'), ('step_ended', '特殊环节结束'), ('extended', '延期'), ('decided', '作出决定'), ('result_ready', '结果已生成'), ('collected', '出件'), ('owed_supplied', '容缺材料补齐'), ('deadline', '期限重算')], max_length=14, verbose_name='事件')),
                ('at', models.DateTimeField(verbose_name='时间')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='说明')),
                ('data', models.JSONField(blank=True, default=dict, verbose_name='详情')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='cases.case', verbose_name='办件')),
            ],
            options={
                'verbose_name': '办件记录',
                'verbose_name_plural': '办件记录',
                'ordering': ['case', 'at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='CaseMaterial',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('original', '已收原件'), ('copy', '已收复印件'), ('electronic', '已收电子材料'), ('missing', '缺失'), ('defective', '不符合要求')], max_length=12, verbose_name='收取情况')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='备注')),
                ('supplied_at', models.DateTimeField(help_text='申请人最近一次提交该材料的时间（收件或补正）。', verbose_name='最近提交时间')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='materials', to='cases.case', verbose_name='办件')),
                ('material', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.material', verbose_name='申请材料')),
            ],
            options={
                'verbose_name': '材料清单',
                'verbose_name_plural': '材料清单',
                'ordering': ['case', 'material__order', 'material_id'],
            },
        ),
        migrations.CreateModel(
            name='CaseSequence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('last', models.PositiveIntegerField(default=0)),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.serviceitem')),
            ],
        ),
        migrations.CreateModel(
            name='CaseWarningSummary',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('yellow', models.PositiveIntegerField(default=0, verbose_name='临近期限')),
                ('red', models.PositiveIntegerField(default=0, verbose_name='已超期')),
                ('owed_overdue', models.PositiveIntegerField(default=0, verbose_name='容缺材料逾期')),
                ('computed_at', models.DateTimeField(verbose_name='统计时间')),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.department', verbose_name='部门')),
                ('hall', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.hall', verbose_name='大厅')),
            ],
            options={
                'verbose_name': '办件预警统计',
                'verbose_name_plural': '办件预警统计',
                'ordering': ['hall', 'department'],
            },
        ),
        migrations.CreateModel(
            name='CorrectionNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.PositiveSmallIntegerField(verbose_name='第几次告知')),
                ('issued_at', models.DateTimeField(verbose_name='告知时间')),
                ('issued_on', models.DateField(verbose_name='告知日期')),
                ('requirements', models.TextField(blank=True, verbose_name='其他要求')),
                ('before_acceptance', models.BooleanField(default=True, verbose_name='受理前告知')),
                ('override_reason', models.CharField(blank=True, max_length=300, verbose_name='再次告知理由')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='补正齐全时间')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notices', to='cases.case', verbose_name='办件')),
                ('issued_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='告知人')),
            ],
            options={
                'verbose_name': '一次性告知书',
                'verbose_name_plural': '一次性告知书',
                'ordering': ['case', 'sequence'],
            },
        ),
        migrations.CreateModel(
            name='ClockStop',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('correction', '等待补正'), ('special_step', '特殊环节')], max_length=14, verbose_name='类型')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='说明')),
                ('started_on', models.DateField(verbose_name='暂停日期')),
                ('started_at', models.DateTimeField(verbose_name='暂停时间')),
                ('ended_on', models.DateField(blank=True, null=True, verbose_name='恢复日期')),
                ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='恢复时间')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='clock_stops', to='cases.case', verbose_name='办件')),
                ('ended_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='恢复操作人')),
                ('special_step', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.specialstep', verbose_name='特殊环节')),
                ('started_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='暂停操作人')),
                ('notice', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='cases.correctionnotice', verbose_name='告知书')),
            ],
            options={
                'verbose_name': '计时暂停',
                'verbose_name_plural': '计时暂停',
                'ordering': ['case', 'started_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Extension',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('days', models.PositiveSmallIntegerField(verbose_name='延长（工作日）')),
                ('reason', models.CharField(max_length=300, verbose_name='延期理由')),
                ('approved_at', models.DateTimeField(verbose_name='批准时间')),
                ('due_before', models.DateField(blank=True, null=True, verbose_name='原期限')),
                ('due_after', models.DateField(blank=True, null=True, verbose_name='新期限')),
                ('approved_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='批准人')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='extensions', to='cases.case', verbose_name='办件')),
            ],
            options={
                'verbose_name': '延期',
                'verbose_name_plural': '延期',
                'ordering': ['case', 'approved_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='NoticeItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('problem', models.CharField(choices=[('missing', '缺失'), ('defective', '不符合要求')], max_length=10, verbose_name='问题')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='补正要求')),
                ('material', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.material', verbose_name='申请材料')),
                ('notice', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='cases.correctionnotice', verbose_name='告知书')),
            ],
            options={
                'verbose_name': '告知材料',
                'verbose_name_plural': '告知材料',
                'ordering': ['notice', 'material__order', 'material_id'],
            },
        ),
        migrations.CreateModel(
            name='OwedMaterial',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due_on', models.DateField(verbose_name='补齐期限')),
                ('supplied_at', models.DateTimeField(blank=True, null=True, verbose_name='补齐时间')),
                ('reminded_at', models.DateTimeField(blank=True, null=True, verbose_name='提醒时间')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='owed', to='cases.case', verbose_name='办件')),
                ('material', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.material', verbose_name='申请材料')),
            ],
            options={
                'verbose_name': '容缺后补材料',
                'verbose_name_plural': '容缺后补材料',
                'ordering': ['case', 'due_on', 'material_id'],
            },
        ),
        migrations.CreateModel(
            name='CaseClock',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='clock', serialize=False, to='cases.case', verbose_name='办件')),
                ('due_on', models.DateField(blank=True, null=True, verbose_name='办结期限')),
                ('warning', models.CharField(blank=True, choices=[('', '正常'), ('yellow', '临近期限'), ('red', '已超期')], default='', max_length=6, verbose_name='预警')),
                ('warning_run', models.CharField(blank=True, max_length=32, verbose_name='预警批次')),
                ('changed_at', models.DateTimeField(blank=True, null=True, verbose_name='预警变化时间')),
                ('notified_at', models.DateTimeField(blank=True, help_text='空表示颜色变化尚未通知。', null=True, verbose_name='预警通知时间')),
                ('department', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.department', verbose_name='部门')),
                ('hall', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.hall', verbose_name='大厅')),
            ],
            options={
                'verbose_name': '办件计时',
                'verbose_name_plural': '办件计时',
            },
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status__in', ('accepted', 'in_review', 'special_step', 'correction'))), fields=['due_on', 'id'], name='case_open_due_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status__in', ('accepted', 'in_review', 'special_step', 'correction'))), fields=['hall', 'due_on', 'id'], name='case_open_hall_due_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('owed_overdue', True)), fields=['hall', 'department'], name='case_owed_overdue_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['hall', 'department', 'status'], name='case_hall_department_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['hall', 'received_at'], name='case_hall_received_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['applicant', 'received_at'], name='case_applicant_idx'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(('accepted_on__isnull', True), ('accepted_on__gte', models.F('received_on')), _connector='OR'), name='case_accepted_after_received'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(('due_on__isnull', True), ('accepted_on__isnull', False), _connector='OR'), name='case_due_only_when_accepted'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'decided'), _negated=True), models.Q(('decision', ''), _negated=True), _connector='OR'), name='case_decided_has_decision'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('decision', 'refused'), _negated=True), models.Q(('decision_reason', ''), _negated=True), _connector='OR'), name='case_refusal_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'not_accepted'), _negated=True), models.Q(('not_accepted_reason', ''), _negated=True), _connector='OR'), name='case_not_accepted_has_reason'),
        ),
        migrations.AddIndex(
            model_name='caseevent',
            index=models.Index(fields=['case', 'at'], name='case_event_idx'),
        ),
        migrations.AddConstraint(
            model_name='casematerial',
            constraint=models.UniqueConstraint(fields=('case', 'material'), name='case_material_once'),
        ),
        migrations.AddConstraint(
            model_name='casesequence',
            constraint=models.UniqueConstraint(fields=('item', 'day'), name='case_sequence_unique'),
        ),
        migrations.AddConstraint(
            model_name='casewarningsummary',
            constraint=models.UniqueConstraint(fields=('hall', 'department'), name='case_summary_once'),
        ),
        migrations.AddConstraint(
            model_name='correctionnotice',
            constraint=models.UniqueConstraint(fields=('case', 'sequence'), name='notice_sequence_once'),
        ),
        migrations.AddConstraint(
            model_name='clockstop',
            constraint=models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True)), fields=('case',), name='clock_one_open_stop'),
        ),
        migrations.AddConstraint(
            model_name='clockstop',
            constraint=models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), ('ended_on__gte', models.F('started_on')), _connector='OR'), name='clock_stop_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='clockstop',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'special_step'), _negated=True), ('special_step__isnull', False), _connector='OR'), name='clock_stop_names_its_step'),
        ),
        migrations.AddConstraint(
            model_name='extension',
            constraint=models.CheckConstraint(condition=models.Q(('days__gte', 1)), name='extension_at_least_one_day'),
        ),
        migrations.AddConstraint(
            model_name='extension',
            constraint=models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='extension_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='noticeitem',
            constraint=models.UniqueConstraint(fields=('notice', 'material'), name='notice_item_once'),
        ),
        migrations.AddIndex(
            model_name='owedmaterial',
            index=models.Index(condition=models.Q(('supplied_at__isnull', True)), fields=['due_on'], name='owed_outstanding_idx'),
        ),
        migrations.AddConstraint(
            model_name='owedmaterial',
            constraint=models.UniqueConstraint(fields=('case', 'material'), name='owed_material_once'),
        ),
        migrations.AddIndex(
            model_name='caseclock',
            index=models.Index(fields=['warning', 'due_on'], name='case_clock_warning_idx'),
        ),
        migrations.AddIndex(
            model_name='caseclock',
            index=models.Index(condition=models.Q(('notified_at__isnull', True), models.Q(('warning', ''), _negated=True)), fields=['warning_run'], name='case_clock_unnotified_idx'),
        ),
        migrations.AddIndex(
            model_name='caseclock',
            index=models.Index(condition=models.Q(('warning', ''), _negated=True), fields=['hall', 'department', 'warning'], name='case_clock_flagged_idx'),
        ),
    ]
