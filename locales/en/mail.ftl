## The mails of templates/mail/: one group per letter, named after its
## folder (mail-reset-link-... for mail/reset_link/).
##
## Values shown here are passed by the templates, under the names of the
## mail's context: $email (the recipient), $site_name (the site's name),
## $site (its public URL, only where a plain-text mail gives it as the
## place to go), $valid_for (a duration already in words: "1 hour"),
## $new_email, $passkey, $device, $address, $count (a number of passkeys).
##
## Messages hold no HTML: the HTML part of a mail puts <strong> and <a>
## around values and links itself, and says a sentence with markup in
## pieces: a "-html-start" piece before the first marked value, a
## "-html-middle" one between two, a "-html-end" one after the last
## (each comment shows the whole sentence). The template puts a space
## between a piece and a marked value, except before a piece that starts
## with punctuation (": it signs in...", ", from ..."), as each comment
## shows: such a piece brings its own spacing.
## The plain-text part says the same sentence whole.

## Shared by every mail

mail-common-hello = Hello,
# HTML, after a link: <a>Choose a new password</a>. { this }
mail-common-link-valid = The link works once, for { $valid_for }.

## reset_link: a link to choose a new password

mail-reset-link-subject = Reset your password
mail-reset-link-asked = Someone, we hope you, asked to reset the password of the account { $email } at { $site_name }.
# HTML: { this } <strong>{ $email }</strong>.
mail-reset-link-asked-html = Someone, we hope you, asked to reset the password of the account
mail-reset-link-use-link = Choose a new password with this link. It works once, for { $valid_for }:
# HTML: <a>{ this }</a>. The link works once, for { $valid_for }.
mail-reset-link-link = Choose a new password
mail-reset-link-ignore = If you did not ask for this, ignore this mail: your password stays as it is.

## verify_email: a link to confirm the address of a new account

mail-verify-email-subject = Confirm your email address
mail-verify-email-intro = Welcome to { $site_name }. Please confirm that { $email } is your address with this link. It works once, for { $valid_for }:
# HTML: { start } <strong>{ $email }</strong> { end } <a>confirm my address</a>. The link works once, for { $valid_for }.
mail-verify-email-confirm-html-start = Please confirm that
mail-verify-email-confirm-html-end = is your address:
mail-verify-email-link = confirm my address
mail-verify-email-ignore = If you did not create an account, ignore this mail.

## confirm_new_email: to the new address an existing account asked to
## use, a link that confirms it

mail-confirm-new-email-subject = Confirm your new email address
mail-confirm-new-email-asked = You asked to use { $email } as the address of your account on { $site_name }.
# HTML: { start } <strong>{ $email }</strong> { end }
mail-confirm-new-email-asked-html-start = You asked to use
mail-confirm-new-email-asked-html-end = as the address of your account on { $site_name }.
mail-confirm-new-email-use-link = Confirm the new address with this link. It works once, for { $valid_for }:
# HTML: <a>{ this }</a>. The link works once, for { $valid_for }.
mail-confirm-new-email-link = Confirm the new address
mail-confirm-new-email-ignore = If you did not ask for this, ignore this mail: your account keeps its current address.

## email_change_asked: to the old address, a change of address was asked,
## with the link that cancels it

mail-email-change-asked-subject = A change of your email address was asked
mail-email-change-asked-what = Someone asked to move your account at { $site_name } from { $email } to { $new_email }.
# HTML: { start } <strong>{ $email }</strong> { middle } <strong>{ $new_email }</strong>. The account keeps...
mail-email-change-asked-what-html-start = Someone asked to move your account from
mail-email-change-asked-what-html-middle = to
mail-email-change-asked-keeps = The account keeps { $email } until the new address is confirmed by a link we sent to it.
mail-email-change-asked-if-you = If it was you, there is nothing more to do.
# Plain text, before the link on a line of its own.
mail-email-change-asked-if-not = If it was not you, cancel the change with this link, then change your password: someone has been in your account.
# HTML: { start } <a>cancel the change</a>{ end }
mail-email-change-asked-if-not-html-start = If it was not you,
mail-email-change-asked-link = cancel the change
mail-email-change-asked-if-not-html-end = , then change your password: someone has been in your account.

## email_changed: to the old address, the address was changed

mail-email-changed-subject = Your email address was changed
mail-email-changed-what = The address of your account at { $site_name } was just changed from { $email } to { $new_email }.
# HTML: { start } <strong>{ $email }</strong> { middle } <strong>{ $new_email }</strong>. Mails for...
mail-email-changed-what-html-start = The address of your account was just changed from
mail-email-changed-what-html-middle = to
mail-email-changed-mails-go = Mails for the account now go there.
mail-email-changed-if-not = If it was you, there is nothing more to do. If it was not, someone has your password: reset it at once at { $site } and tell us.
mail-email-changed-if-not-html = If it was you, there is nothing more to do. If it was not, someone has your password: reset it at once.

## new_device: a login from a device the account had not used

mail-new-device-subject = A new login to your account
mail-new-device-what = Your account { $email } at { $site_name } was just logged in to from a device it had not used before:
# Plain text, on a line of its own: "Firefox on Linux, from 192.0.2.7" or
# "..., from an unknown address" ($address is then the message address-unknown).
mail-new-device-where = { $device }, from { $address }
# HTML: { start } <strong>{ $email }</strong> { middle } <strong>{ $device }</strong>{ end }
mail-new-device-what-html-start = Your account
mail-new-device-what-html-middle = was just logged in to from a device it had not used before:
mail-new-device-what-html-end = , from { $address }.
mail-new-device-if-not = If it was you, there is nothing more to do. If it was not, change your password at once and end that session on your account page.

## password_changed: the password was changed; the passkeys that still
## sign in ($count of them, at least one) are listed after
## mail-password-changed-passkeys

mail-password-changed-subject = Your password was changed
mail-password-changed-what = The password of your account { $email } at { $site_name } was just changed.
# HTML: { start } <strong>{ $email }</strong> { end }
mail-password-changed-what-html-start = The password of your account
mail-password-changed-what-html-end = was just changed.
mail-password-changed-if-not = If it was you, there is nothing more to do. If it was not, reset your password at once at { $site } and check where your account is logged in.
mail-password-changed-if-not-html = If it was you, there is nothing more to do. If it was not, reset your password at once and check where your account is logged in.
# Then the names, "Laptop, Phone", and a period.
mail-password-changed-passkeys = These passkeys still sign in to your account, whatever the password:
mail-password-changed-passkeys-remove = Remove on your account page any you did not add.

## passkey_added

mail-passkey-added-subject = A passkey was added to your account
# The title of the HTML part.
mail-passkey-added-title = A passkey was added
mail-passkey-added-what = A passkey named "{ $passkey }" was just added to your account { $email } at { $site_name }: it signs in without the password.
# HTML: { start } <strong>{ $passkey }</strong> { middle } <strong>{ $email }</strong>{ end }
mail-passkey-added-what-html-start = A passkey named
mail-passkey-added-what-html-middle = was just added to your account
mail-passkey-added-what-html-end = : it signs in without the password.
mail-passkey-added-if-not = If it was not you, log in at { $site }, remove it on your account page, and change your password.
mail-passkey-added-if-not-html = If it was not you, log in, remove it on your account page, and change your password.

## passkey_removed

mail-passkey-removed-subject = A passkey was removed from your account
# The title of the HTML part.
mail-passkey-removed-title = A passkey was removed
mail-passkey-removed-what = The passkey named "{ $passkey }" was just removed from your account { $email } at { $site_name }: it no longer signs in.
# HTML: { start } <strong>{ $passkey }</strong> { middle } <strong>{ $email }</strong>{ end }
mail-passkey-removed-what-html-start = The passkey named
mail-passkey-removed-what-html-middle = was just removed from your account
mail-passkey-removed-what-html-end = : it no longer signs in.
mail-passkey-removed-if-not = If it was not you, log in at { $site } and change your password.
mail-passkey-removed-if-not-html = If it was not you, log in and change your password.

## two_factor_on

mail-two-factor-on-subject = Two-factor sign-in is on
mail-two-factor-on-what = Two-factor sign-in is now on for your account { $email } at { $site_name }: logging in asks for a code of your authenticator app after the password.
# HTML: { start } <strong>{ $email }</strong>{ end }
mail-two-factor-on-what-html-start = Two-factor sign-in is now on for your account
mail-two-factor-on-what-html-end = : logging in asks for a code of your authenticator app after the password.
mail-two-factor-on-recovery-codes = Keep your recovery codes somewhere safe: each one lets you in once if you lose your phone.
mail-two-factor-on-if-not = If it was not you, reset your password at once at { $site }.
mail-two-factor-on-if-not-html = If it was not you, reset your password at once.

## two_factor_off

mail-two-factor-off-subject = Two-factor sign-in is off
mail-two-factor-off-what = Two-factor sign-in was just turned off for your account { $email } at { $site_name }: logging in now asks for the password alone.
# HTML: { start } <strong>{ $email }</strong>{ end }
mail-two-factor-off-what-html-start = Two-factor sign-in was just turned off for your account
mail-two-factor-off-what-html-end = : logging in now asks for the password alone.
mail-two-factor-off-if-not = If it was not you, reset your password at once at { $site } and turn two-factor sign-in on again.
mail-two-factor-off-if-not-html = If it was not you, reset your password at once and turn two-factor sign-in on again.
