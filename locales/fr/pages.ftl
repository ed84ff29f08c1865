# Les mots des pages du navigateur (templates/*.html.tera, hors courriels)
# et des scripts qu’elles chargent (static/*.js, par les attributs data-
# de <body>). Texte brut seulement : les pages échappent chaque message.

## Communs à plusieurs pages

common-log-in = Se connecter
common-register = Créer un compte
common-create-an-account = Créer un compte
common-your-account = Votre compte
common-email = Adresse e-mail
common-password = Mot de passe
common-new-password = Nouveau mot de passe
common-continue = Continuer
common-send-link-again = Renvoyer le lien
common-cancel-the-change = Annuler le changement
common-two-factor-sign-in = Validation en deux étapes
common-set-up-two-factor = Configurer la validation en deux étapes
common-new-recovery-codes = Nouveaux codes de récupération
common-delete-your-account = Supprimer votre compte

## base.html.tera (autour de chaque page)

# Le nom du service, dans chaque titre et dans l’en-tête (le même dans
# chaque catalogue).
base-product-name = auth-service
base-skip-to-content = Aller au contenu
base-nav-label = Compte
base-account = Mon compte
base-language = Langue
language-en = English
language-fr = Français

# static/password.js
base-show = Afficher
base-hide = Masquer
base-show-password = Afficher le mot de passe
base-hide-password = Masquer le mot de passe

# static/passkeys.js
base-passkey-too-long = Le délai est dépassé. Veuillez réessayer.
base-passkey-not-accepted = Cette clé d’accès n’a pas été acceptée : elle a peut-être été supprimée de votre compte. Connectez-vous avec votre mot de passe.
base-passkey-not-used = La clé d’accès n’a pas été utilisée : la demande a été annulée ou a expiré, ou votre appareil n’a pas pu confirmer votre identité.
base-passkey-already-here = Cet appareil contient déjà une clé d’accès pour votre compte.
base-passkey-wrong-address = Les clés d’accès ne fonctionnent pas à cette adresse.
base-passkey-failed = Votre navigateur n’a pas pu utiliser de clé d’accès. Veuillez réessayer ou utiliser votre mot de passe.
base-passkey-request-failed = La requête a échoué.
base-passkey-throttled = Trop de tentatives. Réessayez dans quelques minutes.
base-passkey-none-here = Aucune clé d’accès n’a été utilisée : cet appareil n’en a peut-être aucune pour ce site, ou la demande a été annulée. Connectez-vous avec votre mot de passe ; vous pourrez ajouter une clé d’accès depuis la page de votre compte.
base-passkey-wrong-password = Mot de passe incorrect.
base-passkey-name-refused = Nommez la clé d’accès en 64 caractères au plus, sans caractère invisible.
base-passkey-password-required = Saisissez votre mot de passe.

## error.html.tera

status-title =
    { $code ->
        [400] Requête incorrecte
        [401] Authentification requise
        [403] Accès refusé
        [404] Page introuvable
        [405] Méthode non autorisée
        [413] Requête trop volumineuse
        [415] Type de contenu non pris en charge
        [422] Requête impossible à traiter
        [429] Trop de requêtes
        [500] Erreur interne du serveur
        [503] Service indisponible
       *[other] Erreur
    }
common-back-to-home = Retour à l’accueil

## logout.html.tera

logout-button = Déconnexion

## index.html.tera

index-welcome = Bienvenue
# Suivi de l’adresse, en gras, puis d’un point.
index-logged-in-as = Vous utilisez le compte
index-invitation = Connectez-vous pour accéder à votre profil, ou créez un compte.

## login.html.tera

login-title = Connexion
login-remember = Rester connecté
login-or = ou
login-with-passkey = Se connecter avec une clé d’accès
login-forgot-password = Mot de passe oublié ?

## login_code.html.tera

login-code-intro = Saisissez le code que votre application d’authentification affiche pour ce compte. Vous avez perdu votre téléphone ? Saisissez plutôt l’un de vos codes de récupération.
login-code-step-up-intro = Une application que vous ouvrez vous demande de confirmer votre identité par une seconde étape. Saisissez le code que votre application d’authentification affiche pour ce compte, ou l’un de vos codes de récupération.
login-code-label = Code
login-code-start-again = Recommencer

## register.html.tera

register-title = Inscription
register-submit = Créer mon compte
# Suivi d’un lien vers la page de connexion (common-log-in).
register-already-registered = Vous avez déjà un compte ?

## reset_password.html.tera

reset-password-title = Réinitialiser votre mot de passe

## new_password.html.tera

new-password-title = Choisissez un nouveau mot de passe
# Suivi de l’adresse, en gras, puis d’un point.
new-password-for = Pour le compte
new-password-again = Confirmez le nouveau mot de passe
new-password-submit = Enregistrer le mot de passe

## check_email.html.tera

check-email-nothing-yet = Rien dans votre boîte de réception après quelques minutes ? Regardez dans le dossier des courriers indésirables, puis vérifiez l’adresse et refaites la demande.
check-email-back-to-login = Retour à la connexion

## confirm_password.html.tera

confirm-password-title = Confirmez votre identité
# $purpose : ce que permet le mot de passe, à l’infinitif (« modifier votre
# adresse e-mail ») ; $window : une durée en toutes lettres (« 1 heure »).
confirm-password-intro = Pour { $purpose }, saisissez votre mot de passe. Nous vous le redemandons lorsque votre connexion date de plus de { $window }, afin qu’une session restée ouverte ne suffise pas.
confirm-password-label = Votre mot de passe
confirm-password-cancel = Annuler
confirm-password-use-passkey = Utiliser plutôt une clé d’accès

## cancel_email_change.html.tera

cancel-email-change-title = Annuler le changement d’adresse
cancel-email-change-intro = Quelqu’un a demandé à transférer votre compte vers une autre adresse e-mail. Si ce n’était pas vous, annulez ce changement ici : votre compte conservera son adresse. Changez ensuite votre mot de passe, car quelqu’un a eu accès à votre compte.
cancel-email-change-keep = C’était moi : conserver le changement

## delete_account.html.tera

delete-account-intro = Votre compte, ses sessions et tout ce que le service conserve à son sujet seront supprimés. Cette action est irréversible.
delete-account-password = Votre mot de passe, pour confirmer
delete-account-submit = Supprimer mon compte
delete-account-keep = Conserver mon compte

## two_factor_setup.html.tera

two-factor-setup-scan = Scannez ce code avec une application d’authentification (Google Authenticator, Aegis, 1Password…).
two-factor-setup-qr-label = Code QR de votre secret de validation en deux étapes
two-factor-setup-type-key = Ou saisissez cette clé dans l’application :
two-factor-setup-enter-code = Saisissez ensuite le code affiché par l’application pour confirmer.
two-factor-setup-code-label = Code de l’application
two-factor-setup-submit = Activer la validation en deux étapes
two-factor-setup-not-now = Plus tard

## recovery_codes.html.tera

recovery-codes-title = Vos codes de récupération
recovery-codes-two-factor-on = La validation en deux étapes est activée
recovery-codes-keep-safe = Conservez ces codes de récupération en lieu sûr. Chacun d’eux vous permet de vous connecter une fois si vous perdez votre téléphone.
recovery-codes-shown-once = C’est la seule fois qu’ils sont affichés.
recovery-codes-shown-once-old-gone = C’est la seule fois qu’ils sont affichés ; les anciens codes ne fonctionnent plus.
recovery-codes-download = Télécharger en fichier texte
recovery-codes-file-name = auth-service-codes-de-recuperation.txt
recovery-codes-done = Terminé
recovery-codes-gone = Les codes de récupération ne sont affichés qu’une fois, à leur création. Si vous ne les avez pas gardés, créez-en de nouveaux depuis la page de votre compte : les anciens cesseront alors de fonctionner.

## profile.html.tera

profile-email-heading = Adresse e-mail
profile-email-confirmed = Confirmée
profile-email-not-confirmed = Pas encore confirmée
profile-email-confirm-intro = Nous avons envoyé un lien à cette adresse pour confirmer qu’elle est bien la vôtre.
# Autour de la nouvelle adresse, en gras ; $email : l’adresse actuelle.
profile-pending-before = La nouvelle adresse
profile-pending-after = attend d’être confirmée : suivez le lien que nous y avons envoyé. D’ici là, votre adresse reste { $email }.
profile-change-email-summary = Changer d’adresse e-mail
profile-new-email = Nouvelle adresse e-mail
profile-new-email-hint = Nous envoyons un lien à la nouvelle adresse ; votre compte conserve l’adresse actuelle tant que vous ne l’avez pas suivi.
profile-change-email-submit = Changer d’adresse
profile-change-password-summary = Changer de mot de passe
profile-current-password = Mot de passe actuel
profile-change-password-submit = Changer le mot de passe
profile-change-password-hint = Vos autres sessions sont fermées lorsque le mot de passe change.
profile-two-factor-on = Activée
profile-two-factor-on-text = La connexion demande un code de votre application d’authentification.
profile-recovery-codes-left =
    { $count ->
        [one] { $count } code de récupération restant.
       *[other] { $count } codes de récupération restants.
    }
profile-code-from-app = Code de votre application
profile-new-codes-submit = Générer de nouveaux codes
profile-two-factor-off-summary = Désactiver la validation en deux étapes
profile-two-factor-off-submit = Désactiver
profile-two-factor-pitch = Demandez, après le mot de passe, un code d’une application d’authentification : un mot de passe seul ne suffira plus à ouvrir votre compte.
profile-two-factor-confirm-email-first = Confirmez d’abord votre adresse e-mail pour configurer la validation en deux étapes.
profile-passkeys-heading = Clés d’accès
profile-passkeys-intro = Connectez-vous avec votre empreinte digitale, votre visage ou le verrouillage de votre écran plutôt qu’avec votre mot de passe. Une clé d’accès compte pour deux facteurs.
profile-passkey-remove-label = Supprimer la clé d’accès { $name }
profile-passkey-remove = Supprimer

profile-applications-heading = Applications connectées
profile-applications-intro = Les applications que vous avez autorisées à vous connecter avec ce compte. En déconnecter une vous déconnecte d’elle ; elle vous redemandera la prochaine fois.
# The hidden label of a Disconnect button, for screen readers.
profile-application-disconnect-label = Déconnecter { $name }
profile-application-disconnect = Déconnecter
profile-passkey-add-summary = Ajouter une clé d’accès
profile-passkey-name = Nom de la clé d’accès
profile-passkey-name-hint = Pour la distinguer des autres, par exemple « Ordinateur portable » ou « Téléphone ».
profile-passkey-add-submit = Créer la clé d’accès
profile-passkey-unsupported = Pour ajouter une clé d’accès, il faut un navigateur qui les prend en charge, avec JavaScript activé.
profile-passkey-confirm-email-first = Confirmez d’abord votre adresse e-mail pour ajouter une clé d’accès.
profile-sessions-heading = Appareils connectés
profile-session-this-device = Cet appareil
profile-session-end-current-label = Fermer cette session (vous déconnecter de cet appareil)
profile-session-end-label = Fermer la session sur { $device }
profile-session-end = Fermer
profile-sessions-end-others = Fermer toutes les autres sessions
profile-delete-intro = Votre compte et tout ce qui le concerne disparaîtront définitivement.
profile-delete-link = Supprimer votre compte…

## authorize.html.tera (signing in to another application)

authorize-title = Se connecter à { $app }
# Followed by the list of what the application will be able to do.
authorize-intro = { $app } demande à vous connecter avec votre compte { $email }. L’application pourra :
authorize-scope-openid = savoir que c’est vous (un identifiant de votre compte, le même à chaque fois)
authorize-scope-email = voir votre adresse e-mail
authorize-scope-profile = voir votre langue
authorize-scope-offline-access = vous garder connecté en votre absence
authorize-password-intro = L’application vous demande de confirmer votre identité.
authorize-password = Votre mot de passe
authorize-allow = Autoriser
authorize-deny = Refuser

## authorize_return.html.tera

authorize-return-title = Retour à l’application
authorize-return-intro = Vous retournez à l’application. Si rien ne se passe, continuez vous-même.

## authorize_logout.html.tera

authorize-logout-title = Déconnexion
authorize-logout-intro = Une application vous demande de vous déconnecter de votre compte ici.
authorize-logout-not-logged-in = Vous êtes déconnecté.
authorize-logout-button = Se déconnecter
authorize-logout-stay = Rester connecté

verify-email-title = Confirmer votre adresse
verify-email-intro = Saisissez le mot de passe du compte pour confirmer que cette adresse est la vôtre. Le lien ne sert qu’au titulaire du compte ; si vous n’avez pas créé ce compte, demandez plutôt une réinitialisation du mot de passe.
verify-email-submit = Confirmer mon adresse
