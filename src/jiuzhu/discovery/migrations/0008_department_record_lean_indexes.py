"""Department records written for million-row files (issue 12 item 9): three single-column
indexes no query reads are gone (the identity hash, the member, the household alone), the
household and potential-case indexes hold only the rows that have one, and the member,
household and potential case are references without a database constraint. Why each is safe:
DepartmentRecord's docstring; what it saved: bench/RESULTS.md, department import run 7."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0007_pii_encrypt_birth_date"),
        ("registry", "0007_pii_encrypt_birth_date"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="departmentrecord",
            name="discovery_d_househo_1880d1_idx",
        ),
        migrations.AlterField(
            model_name="departmentrecord",
            name="household",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.household",
            ),
        ),
        migrations.AlterField(
            model_name="departmentrecord",
            name="id_number_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="departmentrecord",
            name="member",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.member",
            ),
        ),
        migrations.AlterField(
            model_name="departmentrecord",
            name="potential_case",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="records",
                to="discovery.potentialcase",
            ),
        ),
        migrations.AddIndex(
            model_name="departmentrecord",
            index=models.Index(
                condition=models.Q(("household__isnull", False)),
                fields=["household", "source", "on"],
                name="department_record_household",
            ),
        ),
        migrations.AddIndex(
            model_name="departmentrecord",
            index=models.Index(
                condition=models.Q(("potential_case__isnull", False)),
                fields=["potential_case"],
                name="department_record_case",
            ),
        ),
    ]
