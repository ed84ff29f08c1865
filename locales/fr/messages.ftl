# Ce que le code du service dit sur les pages (refus, erreurs des champs,
# notices, les mots de la page du compte) et dans les e-mails (durées). Les
# mots propres aux modèles de pages sont dans pages.ftl, ceux des e-mails
# dans mail.ftl.

## Durées, en toutes lettres

duration-days = { $count ->
    [one] { $count } jour
   *[other] { $count } jours
}
duration-hours = { $count ->
    [one] { $count } heure
   *[other] { $count } heures
}
duration-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
duration-seconds = { $count ->
    [one] { $count } seconde
   *[other] { $count } secondes
}

## Le nom de chaque champ sur une page

field-email = Adresse e-mail
field-password = Mot de passe
field-new-password = Nouveau mot de passe
field-current-password = Mot de passe actuel
field-confirm-password = Nouveau mot de passe, à nouveau
field-reset-token = Lien de réinitialisation
field-otp = Code à usage unique
field-code = Code
field-name = Nom

## Ce qui ne va pas dans un champ ($field : son nom, ci-dessus)

form-required = { $field } : ce champ est obligatoire.
form-empty = { $field } : ce champ ne peut pas être vide.
form-too-long = { $field } : la valeur est trop longue.
form-unexpected = { $field } : ce champ n’est pas attendu.
form-duplicate = { $field } : ce champ est donné plusieurs fois.
form-not-text = { $field } : la valeur doit être du texte.
form-invalid-email = { $field } : ce n’est pas une adresse e-mail valide.
form-invisible = { $field } : la valeur ne doit contenir ni caractère de contrôle ni caractère invisible.
form-totp-digits = { $field } : saisissez les 6 chiffres de votre application d’authentification.
form-code-digits = { $field } : saisissez les 6 chiffres de votre application d’authentification, ou un code de récupération.
form-too-common = { $field } : ce mot de passe est trop courant ; choisissez-en un autre.
form-already-registered = { $field } : cette adresse a déjà un compte.
form-not-registered = { $field } : cette adresse n’a pas de compte.
form-at-least = { $field } : au moins { $count } caractères.
form-at-most = { $field } : au plus { $count } caractères.
form-invalid = { $field } : la valeur n’est pas valide.
form-invalid-request = La demande n’a pas pu être comprise.
form-password-hint = Au moins { $count } caractères. Pas un mot de passe courant, ni votre adresse e-mail.

## Refus

error-wrong-credentials = Adresse e-mail ou mot de passe incorrect.
error-wrong-password = Mot de passe incorrect.
error-code-required = Saisissez le code de votre application d’authentification.
error-wrong-code = Code incorrect. Saisissez celui que votre application affiche maintenant, ou un code de récupération.
error-used-recovery-code = Ce code de récupération a déjà servi : chacun ne sert qu’une fois. Saisissez-en un autre, ou le code que votre application affiche maintenant.
error-wrong-first-code = Code incorrect. Saisissez celui que votre application affiche maintenant.
error-sign-in-expired = Votre connexion a pris trop de temps. Reconnectez-vous.
error-two-factor-on = La validation en deux étapes est déjà activée.
error-two-factor-off = La validation en deux étapes est désactivée.
error-no-two-factor-setup = Aucune configuration de la validation en deux étapes n’est en cours ; commencez-en une.
error-unknown-session = Cette session est déjà terminée.
error-passkeys-off = Les clés d’accès ne sont pas disponibles sur ce serveur.
error-passkey-expired = Cela a pris trop de temps. Réessayez.
error-passkey-rejected = Cette clé d’accès n’a pas été acceptée.
error-passkey-taken = Cette clé d’accès est déjà enregistrée.
error-unknown-passkey = Cette clé d’accès a déjà été supprimée.
error-no-email-change = Aucun changement d’adresse n’est en attente.
error-not-logged-in = Connectez-vous pour voir cette page.
error-session-ended = Votre session est terminée. Reconnectez-vous.
error-cross-site = Cette demande venait d’un autre site et a été refusée.
error-no-access = Votre compte ne peut pas ouvrir cette application. Demandez l’accès à son administrateur.
error-bad-authorization = L’application a envoyé une demande de connexion que ce service ne peut pas accepter, ou la demande a expiré. Retournez à l’application et réessayez.
error-invalid-reset-link = Ce lien de réinitialisation a expiré ou a déjà servi. Demandez-en un nouveau.
error-invalid-verification-link = Ce lien de confirmation n’est pas valide, a déjà servi ou a expiré. Demandez-en un nouveau.
error-email-not-verified = Votre adresse e-mail n’est pas encore confirmée. Suivez le lien que nous vous avons envoyé, ou demandez-en un nouveau.
error-address-unproven = Confirmez d’abord votre adresse e-mail : suivez le lien que nous vous avons envoyé, ou demandez-en un nouveau ci-dessus.
error-confirm-password = Saisissez votre mot de passe pour continuer.
error-passwords-differ = Les deux mots de passe ne sont pas identiques.
error-throttled = Trop de tentatives de connexion. Réessayez dans { $seconds } secondes.
error-address-throttled = Trop de demandes depuis votre réseau. Réessayez dans { $wait }.
error-busy = Le service est très sollicité. Réessayez dans un instant.
error-internal = Un problème est survenu de notre côté. Réessayez plus tard.
error-bad-request = La demande n’a pas pu être comprise.
error-forbidden = Cette demande a été refusée.
error-not-found = Il n’y a pas de page à cette adresse.
error-method-not-allowed = Cette page ne s’utilise pas de cette façon.
error-not-completed = La demande n’a pas pu aboutir.

## Notices, sur la page qui suit un changement

notice-account-created-confirm = Compte créé. Confirmez votre adresse avec le lien envoyé à { $email }, puis connectez-vous.
notice-account-created = Compte créé.
notice-other-sessions-ended = { $count ->
    [one] { $count } autre session terminée.
   *[other] { $count } autres sessions terminées.
}
notice-logged-out-here = Vous êtes déconnecté de cet appareil.
notice-session-ended = Session sur { $device } depuis { $address }, active il y a { $ago }, terminée.
notice-session-ended-just-now = Session sur { $device } depuis { $address }, active à l’instant, terminée.
notice-a-session-ended = La session est terminée.
notice-address-confirmed = Votre adresse e-mail est confirmée.
notice-enter-valid-address = Saisissez une adresse e-mail valide pour recevoir un nouveau lien.
notice-verification-link-sent = Si { $email } a un compte en attente de confirmation, nous lui avons envoyé un nouveau lien.
notice-verification-link-sent-to-you = Nous avons envoyé un nouveau lien à { $email }.
notice-link-held-back = Nous ne pouvons pas encore envoyer un autre lien : un lien vient de partir. Réessayez dans { $wait }.
notice-account-deleted = Votre compte a été supprimé.
notice-email-change-pending = Nous avons envoyé un lien à { $new }. Suivez-le pour en faire votre adresse ; d’ici là, votre adresse reste { $email }.
notice-email-changed = Votre adresse est désormais { $email }.
notice-email-change-cancelled = Changement annulé : votre adresse reste { $email }.
notice-email-change-cancelled-by-link = Le changement vers { $new } est annulé : votre compte garde son adresse. Si vous ne l’aviez pas demandé, changez votre mot de passe dès maintenant.
notice-password-changed = Mot de passe modifié. Vos autres sessions sont terminées.
notice-too-many-wrong-codes = Le code était faux trop de fois. Reconnectez-vous.
notice-second-factor-needed = L’application que vous ouvriez demande la validation en deux étapes. Activez-la ci-dessous, puis ouvrez à nouveau l’application.
notice-password-updated = Mot de passe mis à jour. Connectez-vous avec votre nouveau mot de passe.
notice-passkey-added = Clé d’accès « { $name } » ajoutée. Elle permet désormais de vous connecter à votre compte.
notice-passkey-removed = Clé d’accès « { $name } » supprimée. Elle ne permet plus de vous connecter à votre compte.
notice-two-factor-off = La validation en deux étapes est désactivée.
notice-verification-link-expired = Ce lien de confirmation n’est pas valide, a déjà servi ou a expiré. Connectez-vous pour en demander un nouveau.
notice-address-taken = { $email } est entre-temps devenue l’adresse d’un autre compte : votre compte garde donc son adresse.

## Ce que fait un changement qui demande d’abord le mot de passe (« Pour … »)

purpose-change-email = modifier votre adresse e-mail
purpose-end-other-sessions = terminer vos autres sessions
purpose-remove-passkey = supprimer la clé d’accès « { $name } »
purpose-set-up-two-factor = configurer la validation en deux étapes
purpose-turn-on-two-factor = activer la validation en deux étapes

## Les sessions et les clés d’accès de la page du compte

# L’appareil d’une session, tel que son navigateur le dit : le nom du
# navigateur (ou du client) et son système, tels que le navigateur les
# donne (« Firefox », « Linux »).
device-on = { $browser } sous { $os }
# Un client dont le système n’est pas connu : son nom seul (« curl »).
device-browser = { $browser }
device-unknown = Appareil inconnu
session-active-now = Active maintenant
session-last-active = Actif il y a { $ago }
passkey-added-on = Ajoutée le { $day } { $month ->
    [1] janvier
    [2] février
    [3] mars
    [4] avril
    [5] mai
    [6] juin
    [7] juillet
    [8] août
    [9] septembre
    [10] octobre
    [11] novembre
   *[12] décembre
} { $year }
passkey-unused = Pas encore utilisée
passkey-used-now = Utilisée à l’instant
passkey-last-used = Utilisée il y a { $ago }

## Pages des liens envoyés par e-mail

sent-title = Consultez vos e-mails
sent-reset-link = Si un compte existe pour { $email }, nous lui avons envoyé un lien pour choisir un nouveau mot de passe. Le lien fonctionne pendant { $valid_for }.
expired-title = Ce lien ne fonctionne plus
expired-go-to-account = Aller à votre compte
expired-ask-for-new-link = Demander un nouveau lien
expired-email-change-over = Ce changement d’adresse a déjà été confirmé, annulé, ou a expiré. Connectez-vous pour voir l’adresse de votre compte.

## Ailleurs

# Un client dont l’adresse n’est pas connue, dans un e-mail sur un nouvel appareil.
address-unknown = une adresse inconnue
# La première ligne du fichier des codes de récupération.
download-codes-heading = Codes de récupération de votre compte auth-service. Chacun ne sert qu’une fois.

## The account page's connected applications

application-allowed-now = Autorisée à l’instant
application-allowed = Autorisée il y a { $ago }
notice-application-disconnected = { $name } est déconnectée : elle ne vous connecte plus et vous redemandera la prochaine fois.
error-unknown-application = Cette application n’est pas connectée à votre compte.
notice-link-of-another-account = Ce lien confirme l’adresse d’un autre compte. Déconnectez-vous, puis suivez-le de nouveau.
purpose-end-session = terminer la session sur { $device }
