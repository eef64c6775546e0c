"""Encrypt the two-factor secrets at rest (issue 14): the same column, widened for the Fernet
token, now behind the field ``encrypted_secret``; the secrets already stored are encrypted with
the configured ``TWO_FACTOR_KEY``. Reversible: going back decrypts them (with the same key)."""

from django.db import migrations, models

from servicehall.encryption import UndecryptableSecret, decrypt_secret, encrypt_secret


def _is_encrypted(value: str) -> bool:
    try:
        decrypt_secret(value)
    except UndecryptableSecret:
        return False
    return True


def encrypt_secrets(apps, schema_editor):
    device_model = apps.get_model("servicehall", "TwoFactorDevice")
    for device in device_model.objects.only("pk", "encrypted_secret").iterator():
        # A token already (the forward step run again after a partial failure) stays as it is.
        if _is_encrypted(device.encrypted_secret):
            continue
        device_model.objects.filter(pk=device.pk).update(encrypted_secret=encrypt_secret(device.encrypted_secret))


def decrypt_secrets(apps, schema_editor):
    device_model = apps.get_model("servicehall", "TwoFactorDevice")
    for device in device_model.objects.only("pk", "encrypted_secret").iterator():
        # Raises UndecryptableSecret, stopping the reversal, when the key is not the one that
        # encrypted them: never write a token back into a column that must hold plain secrets.
        plaintext = decrypt_secret(device.encrypted_secret)
        device_model.objects.filter(pk=device.pk).update(encrypted_secret=plaintext)


class Migration(migrations.Migration):
    dependencies = [
        ("servicehall", "0007_security_two_factor_password_history_audit_origin"),
    ]

    operations = [
        # Renamed in the model only: the column keeps its name "secret".
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name="twofactordevice", old_name="secret", new_name="encrypted_secret"),
                migrations.AlterField(
                    model_name="twofactordevice",
                    name="encrypted_secret",
                    field=models.CharField(db_column="secret", max_length=64, verbose_name="密钥（加密）"),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="twofactordevice",
            name="encrypted_secret",
            field=models.CharField(db_column="secret", max_length=255, verbose_name="密钥（加密）"),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False),
    ]
