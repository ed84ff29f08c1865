# What the service's code says on pages (refusals, field errors, notices,
# the words of the account page) and in mails (durations). The page
# templates' own words are in pages.ftl, the mails' in mail.ftl.

## Durations, in words

duration-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
duration-hours = { $count ->
    [one] { $count } hour
   *[other] { $count } hours
}
duration-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
duration-seconds = { $count ->
    [one] { $count } second
   *[other] { $count } seconds
}

## What a page calls each field

field-email = Email
field-password = Password
field-new-password = New password
field-current-password = Current password
field-confirm-password = New password, again
field-reset-token = Reset link
field-otp = One-time code
field-code = Code
field-name = Name

## What is wrong with a field ($field: its name, as above)

form-required = { $field } is required.
form-empty = { $field } must not be empty.
form-too-long = { $field } is too long.
form-unexpected = { $field } is not an expected field.
form-duplicate = { $field } is given more than once.
form-not-text = { $field } must be a string.
form-invalid-email = { $field } is not a valid email address.
form-invisible = { $field } must not hold control or invisible characters.
form-totp-digits = { $field } must be the 6 digits of your authenticator app.
form-code-digits = { $field } must be the 6 digits of your authenticator app, or a recovery code.
form-too-common = { $field } is too common; choose another.
form-already-registered = { $field } already registered.
form-not-registered = { $field } not registered.
form-at-least = { $field } must be at least { $count } characters.
form-at-most = { $field } must be at most { $count } characters.
form-invalid = { $field } is not valid.
form-invalid-request = The request could not be understood.
form-password-hint = At least { $count } characters. Not a common password, and not your email address.

## Refusals

error-wrong-credentials = Wrong email or password.
error-wrong-password = Wrong password.
error-code-required = Enter the code of your authenticator app.
error-wrong-code = Wrong code. Enter the one your app shows now, or a recovery code.
error-used-recovery-code = This recovery code has already been used: each works once. Enter another, or the code your app shows now.
error-wrong-first-code = Wrong code. Enter the one your app shows now.
error-sign-in-expired = Your sign-in took too long. Log in again.
error-two-factor-on = Two-factor sign-in is already on.
error-two-factor-off = Two-factor sign-in is off.
error-no-two-factor-setup = No two-factor setup is under way; start one first.
error-unknown-session = This session has already ended.
error-passkeys-off = Passkeys are not available on this server.
error-passkey-expired = That took too long. Try again.
error-passkey-rejected = This passkey was not accepted.
error-passkey-taken = This passkey is already registered.
error-unknown-passkey = This passkey has already been removed.
error-no-email-change = No change of your address is waiting.
error-not-logged-in = Log in to see this page.
error-session-ended = Your session has ended. Log in again.
error-cross-site = This request came from another site and was refused.
error-no-access = Your account may not open this application. Ask its administrator for access.
error-bad-authorization = The application sent a sign-in request this service cannot accept, or the request expired. Go back to the application and try again.
error-invalid-reset-link = This reset link has expired or has already been used. Ask for a new one.
error-invalid-verification-link = This confirmation link is invalid, used or expired. Ask for a new one.
error-email-not-verified = Your email address is not confirmed yet. Follow the link we sent to it, or ask for a new one.
error-address-unproven = Confirm your email address first: follow the link we sent to it, or ask for a new one above.
error-confirm-password = Enter your password to continue.
error-passwords-differ = The two passwords are not the same.
error-throttled = Too many login attempts. Try again in { $seconds } seconds.
error-address-throttled = Too many requests from your network. Try again in { $wait }.
error-busy = The service is busy. Try again in a moment.
error-internal = Something went wrong on our side. Try again later.
error-bad-request = The request could not be understood.
error-forbidden = This request was refused.
error-not-found = There is no page at this address.
error-method-not-allowed = This page cannot be used that way.
error-not-completed = The request could not be completed.

## Notices, on the page after a change

notice-account-created-confirm = Account created. Confirm your address with the link we sent to { $email }, then log in.
notice-account-created = Account created.
notice-other-sessions-ended = { $count ->
    [one] 1 other session ended.
   *[other] { $count } other sessions ended.
}
notice-logged-out-here = You have logged out of this device.
notice-session-ended = Session on { $device } from { $address }, last active { $ago } ago, ended.
notice-session-ended-just-now = Session on { $device } from { $address }, active just now, ended.
notice-a-session-ended = The session ended.
notice-address-confirmed = Your email address is confirmed.
notice-enter-valid-address = Enter a valid email address to get a new link.
notice-verification-link-sent = If { $email } has an account waiting for confirmation, we have sent a new link to it.
notice-verification-link-sent-to-you = We have sent a new link to { $email }.
notice-link-held-back = We could not send another link yet: one went out a moment ago. Try again in { $wait }.
notice-account-deleted = Your account has been deleted.
notice-email-change-pending = We have sent a link to { $new }: follow it to make it your address.
notice-email-changed = Your address is now { $email }.
notice-email-change-cancelled = Change cancelled: your address stays { $email }.
notice-email-change-cancelled-by-link = The change to { $new } is cancelled: your account keeps its address. If you did not ask for it, change your password now.
notice-password-changed = Password changed. Your other sessions have ended.
notice-too-many-wrong-codes = The code was wrong too many times. Log in again.
notice-second-factor-needed = The application you were opening asks for two-factor sign-in. Set it up below, then open the application again.
notice-password-updated = Password updated. Log in with your new password.
notice-passkey-added = Passkey “{ $name }” added. It signs in to your account from now on.
notice-passkey-removed = Passkey “{ $name }” removed. It no longer signs in to your account.
notice-two-factor-off = Two-factor sign-in is off.
notice-verification-link-expired = This confirmation link is invalid, used or expired. Log in to ask for a new one.
notice-address-taken = { $email } became the address of another account meanwhile, so your account keeps its address.

## What a change asking for the password first does ("To ...")

purpose-change-email = change your email address
purpose-end-other-sessions = end your other sessions
purpose-remove-passkey = remove the passkey “{ $name }”
purpose-set-up-two-factor = set up two-factor sign-in
purpose-turn-on-two-factor = turn on two-factor sign-in

## The account page's sessions and passkeys

# A session's device, as its browser tells it: the browser's (or
# client's) name and its system, as the browser says them ("Firefox",
# "Linux").
device-on = { $browser } on { $os }
# A client whose system is not known: its name alone ("curl").
device-browser = { $browser }
device-unknown = Unknown device
session-active-now = Active now
session-last-active = Last active { $ago } ago
passkey-added-on = Added { $day } { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }
passkey-unused = Not used yet
passkey-used-now = Used just now
passkey-last-used = Last used { $ago } ago

## Pages of links that were mailed

sent-title = Check your email
sent-reset-link = If an account exists for { $email }, we have sent a link to it to choose a new password. The link works for { $valid_for }.
expired-title = This link no longer works
expired-go-to-account = Go to your account
expired-ask-for-new-link = Ask for a new link
expired-email-change-over = This change of address was already confirmed, cancelled, or has expired. Log in to see your account's address.

## Elsewhere

# A client whose address is not known, in a mail about a new device.
address-unknown = an unknown address
# The first line of the file of recovery codes.
download-codes-heading = Recovery codes of your auth-service account. Each works once.

## The account page's connected applications

application-allowed-now = Allowed just now
application-allowed = Allowed { $ago } ago
notice-application-disconnected = { $name } is disconnected: it no longer signs you in, and asks you again next time.
error-unknown-application = This application is not connected to your account.
notice-link-of-another-account = This link confirms the address of another account. Log out, then follow it again.
purpose-end-session = end the session on { $device }
