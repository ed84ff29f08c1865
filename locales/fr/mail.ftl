## Les messages des mails de templates/mail/ : voir locales/en/mail.ftl
## pour les valeurs ($email, $site_name, $site, $valid_for...) et le
## découpage des phrases autour du balisage HTML (-html-start,
## -html-middle, -html-end). Un morceau qui suit directement une valeur
## balisée commence par sa ponctuation et son espacement : ici une espace
## insécable (U+00A0) avant « : ».
##
## Typographie : apostrophes ’, espace insécable (U+00A0) avant « : » et à
## l’intérieur des guillemets « ».

## Commun à tous les mails

mail-common-hello = Bonjour,
# HTML, après un lien : <a>Choisissez un nouveau mot de passe</a>. { ceci }
mail-common-link-valid = Le lien n’est valable qu’une fois, pendant { $valid_for }.

## reset_link : un lien pour choisir un nouveau mot de passe

mail-reset-link-subject = Réinitialisez votre mot de passe
mail-reset-link-asked = Quelqu’un (vous, nous l’espérons) a demandé à réinitialiser le mot de passe du compte { $email } sur { $site_name }.
# HTML : { ceci } <strong>{ $email }</strong>.
mail-reset-link-asked-html = Quelqu’un (vous, nous l’espérons) a demandé à réinitialiser le mot de passe du compte
mail-reset-link-use-link = Choisissez un nouveau mot de passe en suivant ce lien. Il n’est valable qu’une fois, pendant { $valid_for } :
# HTML : <a>{ ceci }</a>. Le lien n’est valable qu’une fois, pendant { $valid_for }.
mail-reset-link-link = Choisissez un nouveau mot de passe
mail-reset-link-ignore = Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.

## verify_email : un lien pour confirmer l’adresse d’un nouveau compte

mail-verify-email-subject = Confirmez votre adresse e-mail
mail-verify-email-intro = Bienvenue sur { $site_name }. Veuillez confirmer que { $email } est bien votre adresse en suivant ce lien. Il n’est valable qu’une fois, pendant { $valid_for } :
# HTML : { start } <strong>{ $email }</strong> { end } <a>confirmer mon adresse</a>. Le lien n’est valable...
mail-verify-email-confirm-html-start = Veuillez confirmer que
mail-verify-email-confirm-html-end = est bien votre adresse :
mail-verify-email-link = confirmer mon adresse
mail-verify-email-ignore = Si vous n’avez pas créé de compte, ignorez ce message.

## confirm_new_email : à la nouvelle adresse demandée pour un compte
## existant, un lien qui la confirme

mail-confirm-new-email-subject = Confirmez votre nouvelle adresse e-mail
mail-confirm-new-email-asked = Vous avez demandé à utiliser { $email } comme adresse de votre compte sur { $site_name }.
# HTML : { start } <strong>{ $email }</strong> { end }
mail-confirm-new-email-asked-html-start = Vous avez demandé à utiliser
mail-confirm-new-email-asked-html-end = comme adresse de votre compte sur { $site_name }.
mail-confirm-new-email-use-link = Confirmez la nouvelle adresse en suivant ce lien. Il n’est valable qu’une fois, pendant { $valid_for } :
# HTML : <a>{ ceci }</a>. Le lien n’est valable qu’une fois, pendant { $valid_for }.
mail-confirm-new-email-link = Confirmez la nouvelle adresse
mail-confirm-new-email-ignore = Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre compte garde son adresse actuelle.

## email_change_asked : à l’ancienne adresse, un changement d’adresse a
## été demandé, avec le lien qui l’annule

mail-email-change-asked-subject = Demande de changement de votre adresse e-mail
mail-email-change-asked-what = Quelqu’un a demandé à faire passer votre compte sur { $site_name } de l’adresse { $email } à l’adresse { $new_email }.
# HTML : { start } <strong>{ $email }</strong> { middle } <strong>{ $new_email }</strong>. Le compte garde...
mail-email-change-asked-what-html-start = Quelqu’un a demandé à faire passer votre compte de l’adresse
mail-email-change-asked-what-html-middle = à l’adresse
mail-email-change-asked-keeps = Le compte garde l’adresse { $email } tant que la nouvelle n’a pas été confirmée par le lien que nous lui avons envoyé.
mail-email-change-asked-if-you = Si c’était vous, vous n’avez rien d’autre à faire.
# Texte brut, avant le lien, seul sur sa ligne.
mail-email-change-asked-if-not = Si ce n’était pas vous, annulez le changement avec ce lien, puis changez votre mot de passe : quelqu’un s’est introduit dans votre compte.
# HTML : { start } <a>annulez le changement</a>{ end }
mail-email-change-asked-if-not-html-start = Si ce n’était pas vous,
mail-email-change-asked-link = annulez le changement
mail-email-change-asked-if-not-html-end = , puis changez votre mot de passe : quelqu’un s’est introduit dans votre compte.

## email_changed : à l’ancienne adresse, l’adresse a été changée

mail-email-changed-subject = Votre adresse e-mail a été modifiée
mail-email-changed-what = L’adresse de votre compte sur { $site_name } vient de passer de { $email } à { $new_email }.
# HTML : { start } <strong>{ $email }</strong> { middle } <strong>{ $new_email }</strong>. Les messages...
mail-email-changed-what-html-start = L’adresse de votre compte vient de passer de
mail-email-changed-what-html-middle = à
mail-email-changed-mails-go = Les messages destinés au compte y sont désormais envoyés.
mail-email-changed-if-not = Si c’était vous, vous n’avez rien d’autre à faire. Sinon, quelqu’un connaît votre mot de passe : réinitialisez-le immédiatement sur { $site } et prévenez-nous.
mail-email-changed-if-not-html = Si c’était vous, vous n’avez rien d’autre à faire. Sinon, quelqu’un connaît votre mot de passe : réinitialisez-le immédiatement.

## new_device : une connexion depuis un appareil que le compte n’avait
## jamais utilisé

mail-new-device-subject = Nouvelle connexion à votre compte
mail-new-device-what = Une connexion à votre compte { $email } sur { $site_name } vient d’avoir lieu depuis un appareil encore jamais utilisé pour ce compte :
# Texte brut, seul sur sa ligne : « Firefox sous Linux, depuis 192.0.2.7 » ou « …, depuis une adresse inconnue ».
mail-new-device-where = { $device }, depuis { $address }
# HTML : { start } <strong>{ $email }</strong> { middle } <strong>{ $device }</strong>{ end }
mail-new-device-what-html-start = Une connexion à votre compte
mail-new-device-what-html-middle = vient d’avoir lieu depuis un appareil encore jamais utilisé pour ce compte :
mail-new-device-what-html-end = , depuis { $address }.
mail-new-device-if-not = Si c’était vous, vous n’avez rien d’autre à faire. Sinon, changez immédiatement votre mot de passe et fermez cette session depuis la page de votre compte.

## password_changed : le mot de passe a été changé ; les clés d’accès qui
## permettent toujours de se connecter ($count, au moins une) sont
## listées après mail-password-changed-passkeys

mail-password-changed-subject = Votre mot de passe a été modifié
mail-password-changed-what = Le mot de passe de votre compte { $email } sur { $site_name } vient d’être modifié.
# HTML : { start } <strong>{ $email }</strong> { end }
mail-password-changed-what-html-start = Le mot de passe de votre compte
mail-password-changed-what-html-end = vient d’être modifié.
mail-password-changed-if-not = Si c’était vous, vous n’avez rien d’autre à faire. Sinon, réinitialisez immédiatement votre mot de passe sur { $site } et vérifiez sur quels appareils votre compte est connecté.
mail-password-changed-if-not-html = Si c’était vous, vous n’avez rien d’autre à faire. Sinon, réinitialisez immédiatement votre mot de passe et vérifiez sur quels appareils votre compte est connecté.
# Puis les noms, « Portable, Téléphone », et un point.
mail-password-changed-passkeys =
    { $count ->
        [one] Cette clé d’accès permet toujours de se connecter à votre compte, quel que soit le mot de passe :
       *[other] Ces clés d’accès permettent toujours de se connecter à votre compte, quel que soit le mot de passe :
    }
mail-password-changed-passkeys-remove =
    { $count ->
        [one] Si vous ne l’avez pas ajoutée, supprimez-la depuis la page de votre compte.
       *[other] Supprimez depuis la page de votre compte celles que vous n’avez pas ajoutées.
    }

## passkey_added

mail-passkey-added-subject = Une clé d’accès a été ajoutée à votre compte
# Le titre de la partie HTML.
mail-passkey-added-title = Une clé d’accès a été ajoutée
mail-passkey-added-what = Une clé d’accès nommée « { $passkey } » vient d’être ajoutée à votre compte { $email } sur { $site_name } : elle permet de se connecter sans mot de passe.
# HTML : { start } <strong>{ $passkey }</strong> { middle } <strong>{ $email }</strong>{ end }
mail-passkey-added-what-html-start = Une clé d’accès nommée
mail-passkey-added-what-html-middle = vient d’être ajoutée à votre compte
mail-passkey-added-what-html-end =  : elle permet de se connecter sans mot de passe.
mail-passkey-added-if-not = Si ce n’était pas vous, connectez-vous sur { $site }, supprimez-la depuis la page de votre compte et changez votre mot de passe.
mail-passkey-added-if-not-html = Si ce n’était pas vous, connectez-vous, supprimez-la depuis la page de votre compte et changez votre mot de passe.

## passkey_removed

mail-passkey-removed-subject = Une clé d’accès a été supprimée de votre compte
# Le titre de la partie HTML.
mail-passkey-removed-title = Une clé d’accès a été supprimée
mail-passkey-removed-what = La clé d’accès nommée « { $passkey } » vient d’être supprimée de votre compte { $email } sur { $site_name } : elle ne permet plus de se connecter.
# HTML : { start } <strong>{ $passkey }</strong> { middle } <strong>{ $email }</strong>{ end }
mail-passkey-removed-what-html-start = La clé d’accès nommée
mail-passkey-removed-what-html-middle = vient d’être supprimée de votre compte
mail-passkey-removed-what-html-end =  : elle ne permet plus de se connecter.
mail-passkey-removed-if-not = Si ce n’était pas vous, connectez-vous sur { $site } et changez votre mot de passe.
mail-passkey-removed-if-not-html = Si ce n’était pas vous, connectez-vous et changez votre mot de passe.

## two_factor_on

mail-two-factor-on-subject = La validation en deux étapes est activée
mail-two-factor-on-what = La validation en deux étapes est désormais activée pour votre compte { $email } sur { $site_name } : après le mot de passe, la connexion demande un code de votre application d’authentification.
# HTML : { start } <strong>{ $email }</strong>{ end }
mail-two-factor-on-what-html-start = La validation en deux étapes est désormais activée pour votre compte
mail-two-factor-on-what-html-end =  : après le mot de passe, la connexion demande un code de votre application d’authentification.
mail-two-factor-on-recovery-codes = Conservez vos codes de récupération en lieu sûr : chacun vous permet de vous connecter une fois si vous perdez votre téléphone.
mail-two-factor-on-if-not = Si ce n’était pas vous, réinitialisez immédiatement votre mot de passe sur { $site }.
mail-two-factor-on-if-not-html = Si ce n’était pas vous, réinitialisez immédiatement votre mot de passe.

## two_factor_off

mail-two-factor-off-subject = La validation en deux étapes est désactivée
mail-two-factor-off-what = La validation en deux étapes vient d’être désactivée pour votre compte { $email } sur { $site_name } : la connexion ne demande plus que le mot de passe.
# HTML : { start } <strong>{ $email }</strong>{ end }
mail-two-factor-off-what-html-start = La validation en deux étapes vient d’être désactivée pour votre compte
mail-two-factor-off-what-html-end =  : la connexion ne demande plus que le mot de passe.
mail-two-factor-off-if-not = Si ce n’était pas vous, réinitialisez immédiatement votre mot de passe sur { $site } et réactivez la validation en deux étapes.
mail-two-factor-off-if-not-html = Si ce n’était pas vous, réinitialisez immédiatement votre mot de passe et réactivez la validation en deux étapes.
