export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];

/**
 * A feature's messages in both languages. `en` must have exactly the keys of `fr` (same types),
 * so a message missing in one language fails to compile:
 *   export const GIVE = defineMessages({ title: 'Donner' }, { title: 'Give' });
 *   const m = GIVE[ctx.lang];
 */
export function defineMessages<T extends Record<string, unknown>>(fr: T, en: NoInfer<T>): Record<Lang, T> {
  return { fr, en };
}

/** Messages of the layout, the components and the error pages: `ctx.t`. */
export const MESSAGES = defineMessages(
  {
    siteName: 'La Librery',
    tagline: 'Fonds de gestion collective pour le logiciel libre — grand livre public et vérifiable',
    skip: 'Aller au contenu',
    mainNav: 'Navigation principale',
    navHome: 'Accueil',
    navProjects: 'Projets',
    navRounds: 'Tours de financement',
    navLedger: 'Grand livre',
    navGive: 'Donner',
    navVerify: 'Vérifier',
    navOpenData: 'Données ouvertes',
    otherLang: 'English',
    otherLangLabel: 'Read this page in English',
    signIn: 'Se connecter',
    signOut: 'Se déconnecter',
    signedInAs: 'Connecté en tant que',
    accessibility: 'Accessibilité : non conforme',
    footerOpenData: 'Données ouvertes sous licence Etalab 2.0',
    footerSource: 'Logiciel libre sous licence Apache-2.0',
    errorSummaryTitle: 'Il y a un problème',
    errorTitlePrefix: 'Erreur : ',
    pagination: 'Pagination',
    previousPage: 'Page précédente',
    nextPage: 'Page suivante',
    steps: 'Étapes',
    stepOf: 'Étape {n} sur {total}',
    currentStep: 'étape en cours',
    doneStep: 'terminée',
    optional: '(facultatif)',
    errBadRequestTitle: 'Requête invalide',
    errBadRequestText: 'La page ne peut pas répondre à cette demande : un paramètre est invalide.',
    errForbiddenTitle: 'Accès refusé',
    errForbiddenText: 'Vous n’avez pas le droit de faire cette action.',
    errCsrfTitle: 'Formulaire expiré ou invalide',
    errCsrfText:
      'Ce formulaire n’a pas pu être vérifié (il a expiré, ou il ne vient pas de ce site). Rien n’a été enregistré. Revenez à la page précédente, rechargez-la et envoyez le formulaire à nouveau.',
    errUnauthenticatedTitle: 'Connexion nécessaire',
    errUnauthenticatedText: 'Connectez-vous pour voir cette page.',
    errNotFoundTitle: 'Page introuvable',
    errNotFoundText: 'Cette page n’existe pas ou plus. Vérifiez l’adresse, ou partez de l’accueil.',
    errConflictTitle: 'Conflit',
    errConflictText: 'Cette action entre en conflit avec l’état actuel. Rien n’a été modifié.',
    errServerTitle: 'Erreur du service',
    errServerText:
      'Une erreur inattendue s’est produite ; elle a été enregistrée. Rien n’a été modifié à moitié. Réessayez dans un moment.',
    errRequestId: 'Référence de la requête',
    errDetail: 'Détail (en anglais)',
    backHome: 'Retour à l’accueil',
  },
  {
    siteName: 'The Librery',
    tagline: 'Collective-management fund for open-source software — a public, verifiable ledger',
    skip: 'Skip to content',
    mainNav: 'Main navigation',
    navHome: 'Home',
    navProjects: 'Projects',
    navRounds: 'Funding rounds',
    navLedger: 'Ledger',
    navGive: 'Give',
    navVerify: 'Verify',
    navOpenData: 'Open data',
    otherLang: 'Français',
    otherLangLabel: 'Lire cette page en français',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signedInAs: 'Signed in as',
    accessibility: 'Accessibility: not compliant',
    footerOpenData: 'Open data under the Etalab 2.0 licence',
    footerSource: 'Free software under the Apache-2.0 licence',
    errorSummaryTitle: 'There is a problem',
    errorTitlePrefix: 'Error: ',
    pagination: 'Pagination',
    previousPage: 'Previous page',
    nextPage: 'Next page',
    steps: 'Steps',
    stepOf: 'Step {n} of {total}',
    currentStep: 'current step',
    doneStep: 'done',
    optional: '(optional)',
    errBadRequestTitle: 'Bad request',
    errBadRequestText: 'The page cannot answer this request: a parameter is not valid.',
    errForbiddenTitle: 'Access denied',
    errForbiddenText: 'You are not allowed to do this.',
    errCsrfTitle: 'Form expired or not valid',
    errCsrfText:
      'This form could not be checked (it expired, or it does not come from this site). Nothing was saved. Go back, reload the page and send the form again.',
    errUnauthenticatedTitle: 'Sign-in needed',
    errUnauthenticatedText: 'Sign in to see this page.',
    errNotFoundTitle: 'Page not found',
    errNotFoundText: 'This page does not exist (any more). Check the address, or start from the home page.',
    errConflictTitle: 'Conflict',
    errConflictText: 'This action conflicts with the current state. Nothing was changed.',
    errServerTitle: 'Service error',
    errServerText:
      'An unexpected error occurred; it has been logged. Nothing was half-changed. Try again in a moment.',
    errRequestId: 'Request reference',
    errDetail: 'Detail',
    backHome: 'Back to the home page',
  },
);

export type Messages = (typeof MESSAGES)['fr'];

/** Replaces `{name}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (all, k: string) => (k in values ? String(values[k]) : all));
}
