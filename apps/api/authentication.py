"""How API callers authenticate: DRF's token header, with keys no token can have refused early."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        # PostgreSQL refuses NUL in a text parameter with an error (a 500), not with no match.
        if "\x00" in key:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        model = self.get_model()
        # The user's agent and customer rows come in the same query, so resolving the actor
        # (`actor_for_user`) reads nothing more for a customer.
        token = (
            model.objects.select_related("user__agent", "user__customer").filter(key=key).first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
