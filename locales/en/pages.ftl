# The words of the browser pages (templates/*.html.tera, not the mails)
# and of the scripts they load (static/*.js, through data- attributes of
# <body>). Plain text only: the pages escape every message, so markup
# (links, <strong>) stays in the templates, between messages.

## Shared by several pages

common-log-in = Log in
common-register = Register
common-create-an-account = Create an account
common-your-account = Your account
common-email = Email
common-password = Password
common-new-password = New password
common-continue = Continue
common-send-link-again = Send the link again
common-cancel-the-change = Cancel the change
common-two-factor-sign-in = Two-factor sign-in
common-set-up-two-factor = Set up two-factor sign-in
common-new-recovery-codes = New recovery codes
common-delete-your-account = Delete your account

## base.html.tera (around every page)

# The name of the service, in every title and in the header (the same in
# every catalogue).
base-product-name = auth-service
base-skip-to-content = Skip to content
# The accessible name of the header's navigation.
base-nav-label = Account
# The header's link to the account page.
base-account = Account
# The language switch, at the foot of every page: its label, then each
# language in its own name (the same in every catalogue).
base-language = Language
language-en = English
language-fr = Français

# static/password.js: the button beside each password field (its text,
# then its accessible name).
base-show = Show
base-hide = Hide
base-show-password = Show password
base-hide-password = Hide password

# static/passkeys.js: why a passkey ceremony failed.
base-passkey-too-long = That took too long. Try again.
base-passkey-not-accepted = This passkey was not accepted: it may have been removed from your account. Log in with your password.
base-passkey-not-used = The passkey was not used: the request was cancelled, timed out, or your device could not confirm it was you.
base-passkey-already-here = This device already holds a passkey for your account.
base-passkey-wrong-address = Passkeys do not work at this address.
base-passkey-failed = Your browser could not use a passkey. Try again, or use your password.
# When the service refused without saying why.
base-passkey-request-failed = The request failed.
base-passkey-throttled = Too many attempts. Try again in a few minutes.
base-passkey-none-here = No passkey was used: this device may hold none for this site, or the request was cancelled. Log in with your password; you can add a passkey on your account page.
base-passkey-wrong-password = Wrong password.
base-passkey-name-refused = Name the passkey in 64 characters at most, without invisible characters.
base-passkey-password-required = Enter your password.

## error.html.tera (its keys do not start with error-, the prefix of the
## refusals)

# The title of an error page: the reason of its HTTP status ($code).
status-title =
    { $code ->
        [400] Bad Request
        [401] Unauthorized
        [403] Forbidden
        [404] Not Found
        [405] Method Not Allowed
        [413] Payload Too Large
        [415] Unsupported Media Type
        [422] Unprocessable Entity
        [429] Too Many Requests
        [500] Internal Server Error
        [503] Service Unavailable
       *[other] Error
    }

# The link back home, on the error page.
common-back-to-home = Back to the home page

## logout.html.tera

logout-button = Log out

## index.html.tera

index-welcome = Welcome
# Followed by the address, in bold, then a full stop.
index-logged-in-as = You are logged in as
index-invitation = Log in to see your profile, or create an account.

## login.html.tera

login-title = Log in
login-remember = Keep me logged in
# Between the password form and the passkey button.
login-or = or
login-with-passkey = Sign in with a passkey
login-forgot-password = Forgot your password?

## login_code.html.tera

login-code-intro = Enter the code your authenticator app shows for this account. Lost your phone? Enter one of your recovery codes instead.
login-code-step-up-intro = An application you are opening asks you to confirm it is you with a second factor. Enter the code your authenticator app shows for this account, or one of your recovery codes.
login-code-label = Code
login-code-start-again = Start again

## register.html.tera

register-title = Register
register-submit = Register
# Followed by a link to the login page (common-log-in).
register-already-registered = Already registered?

## reset_password.html.tera

reset-password-title = Reset your password

## new_password.html.tera

new-password-title = Choose a new password
# Followed by the address, in bold, then a full stop.
new-password-for = For
new-password-again = New password, again
new-password-submit = Set password

## check_email.html.tera

check-email-nothing-yet = Nothing in your inbox after a few minutes? Look in the spam folder, then check the address and ask again.
check-email-back-to-login = Back to login

## confirm_password.html.tera

confirm-password-title = Confirm it’s you
# $purpose: what the password allows, as a verb phrase ("change your
# email address"); $window: a duration in words ("1 hour").
confirm-password-intro = To { $purpose }, enter your password. We ask for it again when your login is more than { $window } old, so that a session left open is not enough.
confirm-password-label = Your password
confirm-password-cancel = Cancel
confirm-password-use-passkey = Use a passkey instead

## cancel_email_change.html.tera

cancel-email-change-title = Cancel the change of your address
cancel-email-change-intro = Someone asked to move your account to another email address. If it was not you, cancel it here: your account keeps its address. Then change your password, since someone has been in your account.
cancel-email-change-keep = It was me: keep the change

## delete_account.html.tera

delete-account-intro = Your account, its sessions and everything the service keeps about it will be deleted. This cannot be undone.
delete-account-password = Your password, to confirm
delete-account-submit = Delete my account
delete-account-keep = Keep my account

## two_factor_setup.html.tera

two-factor-setup-scan = Scan this code with an authenticator app (Google Authenticator, Aegis, 1Password, …).
two-factor-setup-qr-label = QR code of your two-factor secret
two-factor-setup-type-key = Or type this key into the app:
two-factor-setup-enter-code = Then enter the code the app shows, to confirm.
two-factor-setup-code-label = Code from the app
two-factor-setup-submit = Turn on two-factor sign-in
two-factor-setup-not-now = Not now

## recovery_codes.html.tera

recovery-codes-title = Your recovery codes
recovery-codes-two-factor-on = Two-factor sign-in is on
recovery-codes-keep-safe = Keep these recovery codes somewhere safe. Each one logs you in once if you lose your phone.
# When two-factor sign-in has just been turned on.
recovery-codes-shown-once = This is the only time they are shown.
# When they replace older codes.
recovery-codes-shown-once-old-gone = This is the only time they are shown; the old ones no longer work.
recovery-codes-download = Download as a text file
# The name of the downloaded file.
recovery-codes-file-name = auth-service-recovery-codes.txt
recovery-codes-done = Done
recovery-codes-gone = Recovery codes are shown once, when they are made, and never again. If you did not keep them, make new ones from your account page: the old ones then stop working.

## profile.html.tera

profile-email-heading = Email
profile-email-confirmed = Confirmed
profile-email-not-confirmed = Not confirmed yet
profile-email-confirm-intro = We sent a link to this address to confirm it is yours.
# Around the address waiting for confirmation, in bold; $email: the
# current address.
profile-pending-before = Waiting for
profile-pending-after = to be confirmed: follow the link we sent to it. Until then, your address stays { $email }.
profile-change-email-summary = Change your email address
profile-new-email = New email address
profile-new-email-hint = We send a link to the new address; your account keeps this one until you follow it.
profile-change-email-submit = Change email
profile-change-password-summary = Change your password
profile-current-password = Current password
profile-change-password-submit = Change password
profile-change-password-hint = Your other sessions end when the password changes.
# A badge, before profile-two-factor-on-text.
profile-two-factor-on = On
profile-two-factor-on-text = Logging in asks for a code of your authenticator app.
profile-recovery-codes-left =
    { $count ->
        [one] { $count } recovery code left.
       *[other] { $count } recovery codes left.
    }
profile-code-from-app = Code from your app
profile-new-codes-submit = Make new codes
profile-two-factor-off-summary = Turn off two-factor sign-in
profile-two-factor-off-submit = Turn off
profile-two-factor-pitch = Ask for a code of an authenticator app after the password, so that a password alone does not open your account.
profile-two-factor-confirm-email-first = Confirm your email address first to set up two-factor sign-in.
profile-passkeys-heading = Passkeys
profile-passkeys-intro = Sign in with your fingerprint, face or screen lock instead of your password. A passkey counts as two factors.
# The accessible name of a passkey's Remove button; $name: its name.
profile-passkey-remove-label = Remove the passkey { $name }
profile-passkey-remove = Remove

profile-applications-heading = Connected applications
profile-applications-intro = Applications you allowed to sign you in with this account. Disconnecting one signs you out of it; it asks you again next time.
# The hidden label of a Disconnect button, for screen readers.
profile-application-disconnect-label = Disconnect { $name }
profile-application-disconnect = Disconnect
profile-passkey-add-summary = Add a passkey
profile-passkey-name = Name of the passkey
profile-passkey-name-hint = To tell it from others, like “Laptop” or “Phone”.
profile-passkey-add-submit = Create the passkey
profile-passkey-unsupported = Adding a passkey needs a browser that supports them, with JavaScript on.
profile-passkey-confirm-email-first = Confirm your email address first to add a passkey.
profile-sessions-heading = Where you’re logged in
profile-session-this-device = This device
# The accessible names of a session's End button: the current session's,
# and another's ($device: "Chrome on Android").
profile-session-end-current-label = End this session (log out of this device)
profile-session-end-label = End the session on { $device }
profile-session-end = End
profile-sessions-end-others = End all other sessions
profile-delete-intro = Your account and everything about it go for good.
profile-delete-link = Delete your account…

## authorize.html.tera (signing in to another application)

authorize-title = Sign in to { $app }
# Followed by the list of what the application will be able to do.
authorize-intro = { $app } asks to sign you in with your account { $email }. It will:
authorize-scope-openid = know that it is you (an identifier of your account, the same each time)
authorize-scope-email = see your email address
authorize-scope-profile = see your language
authorize-scope-offline-access = keep you signed in while you are away
authorize-password-intro = The application asks you to confirm it’s you.
authorize-password = Your password
authorize-allow = Allow
authorize-deny = Deny

## authorize_return.html.tera

authorize-return-title = Back to the application
authorize-return-intro = You are going back to the application. If nothing happens, continue yourself.

## authorize_logout.html.tera

authorize-logout-title = Log out
authorize-logout-intro = An application asks you to log out of your account here.
authorize-logout-not-logged-in = You are logged out.
authorize-logout-button = Log out
authorize-logout-stay = Stay logged in

verify-email-title = Confirm your address
verify-email-intro = Enter the password of the account to confirm that this address is yours. The link works for the account’s owner only; if you did not create this account, ask for a password reset instead.
verify-email-submit = Confirm my address
