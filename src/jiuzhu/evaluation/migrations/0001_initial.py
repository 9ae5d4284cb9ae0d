from django.db import migrations


class Migration(migrations.Migration):
    """The app's starting point: its parts each add their own migration after this one."""

    initial = True
    dependencies: list = []
    operations: list = []
