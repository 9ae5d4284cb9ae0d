"""The assessor choice on the household page names each assessor's organisation once."""

import pytest

from factories import OrganisationFactory, UserFactory
from jiuzhu.core.models import OrganisationKind, Role
from jiuzhu.registry.views.households import AssessorChoiceField

pytestmark = pytest.mark.django_db


def test_the_organisation_appears_once():
    org = OrganisationFactory(name="栖霞区心桥社会工作评估中心", kind=OrganisationKind.ASSESSMENT)
    bracketed = UserFactory(
        username="a1", role=Role.ASSESSOR, organisation=org, display_name="吴昊（心桥评估中心）"
    )
    plain = UserFactory(username="a2", role=Role.ASSESSOR, organisation=org, display_name="李娜")
    alone = UserFactory(username="a3", role=Role.ASSESSOR, organisation=None, display_name="王芳")
    field = AssessorChoiceField(queryset=None)
    assert field.label_from_instance(bracketed) == "吴昊 · 栖霞区心桥社会工作评估中心"
    assert field.label_from_instance(plain) == "李娜 · 栖霞区心桥社会工作评估中心"
    assert field.label_from_instance(alone) == "王芳"
