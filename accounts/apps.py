from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sessions"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.services import session_record_at_login

        user_logged_in.connect(session_record_at_login, dispatch_uid="accounts.session_record")
