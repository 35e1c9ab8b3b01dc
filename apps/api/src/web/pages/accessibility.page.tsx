import { Layout } from '../layout';
import { PageContext } from '../page-context';

export const STATEMENT_DATE = new Date('2026-12-02T12:00:00Z');

/** Pages checked by axe-core in the browser tests (each with zero violations). */
const TESTED_PAGES = {
  fr: [
    'Accueil (/)',
    'Déclaration d’accessibilité (/accessibilite)',
    'Pages d’erreur (403, 404)',
    'Grand livre (/ledger)',
    'Page d’un projet',
    'Page d’un tour de financement',
  ],
  en: [
    'Home (/)',
    'Accessibility statement (/accessibility)',
    'Error pages (403, 404)',
    'Ledger (/ledger)',
    'A project’s page',
    'A funding round’s page',
  ],
};

export interface AccessibilityProps {
  ctx: PageContext;
  siteUrl: string;
  contact: string;
}

/**
 * The accessibility statement (déclaration d'accessibilité) with the content RGAA 4.1 requires:
 * status, results, non-accessible content, derogations, how it was established, contact and
 * recourse to the Défenseur des droits.
 */
export function AccessibilityPage(props: AccessibilityProps) {
  return props.ctx.lang === 'fr' ? <French {...props} /> : <English {...props} />;
}

const DDD = {
  form: 'https://formulaire.defenseurdesdroits.fr/',
  delegates: 'https://www.defenseurdesdroits.fr/carte-des-delegues',
};

function French({ ctx, siteUrl, contact }: AccessibilityProps) {
  return (
    <Layout ctx={ctx} title="Déclaration d’accessibilité">
      <p>
        La Librery s’engage à rendre son service en ligne accessible, conformément à l’article 47 de la loi n°
        2005-102 du 11 février 2005 pour l’égalité des droits et des chances, la participation et la
        citoyenneté des personnes handicapées.
      </p>
      <p>
        Cette déclaration d’accessibilité s’applique au site <a href={siteUrl}>{siteUrl}</a> : les pages
        publiques (grand livre, projets, tours de financement, vérification, données ouvertes), le parcours de
        don et les pages des personnes connectées.
      </p>

      <h2>Schéma pluriannuel et plan d’action</h2>
      <p>
        Le schéma pluriannuel de mise en accessibilité et le plan d’action de l’année n’ont pas encore été
        publiés. Ils le seront sur cette page avant l’ouverture du fonds au public.
      </p>

      <h2>État de conformité</h2>
      <p>
        <strong>Le site est non conforme</strong> avec le référentiel général d’amélioration de
        l’accessibilité (RGAA), version 4.1 : aucun audit de conformité n’a encore été réalisé. Le site a été
        conçu pour respecter le RGAA (niveaux A et AA des WCAG 2.1) et chaque page est vérifiée
        automatiquement, mais un contrôle automatique ne remplace pas un audit.
      </p>

      <h2>Résultats des tests</h2>
      <p>
        Aucun audit RGAA n’a été réalisé ; il n’y a donc pas de taux de conformité à publier. À chaque
        modification du code, les tests automatiques passent chaque page ci-dessous dans l’outil axe-core
        (règles WCAG 2.0 et 2.1, niveaux A et AA) et exigent zéro erreur :
      </p>
      <ul>
        {TESTED_PAGES.fr.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
      <p>
        Ces contrôles automatiques ne couvrent qu’une partie des critères : la pertinence des alternatives et
        des intitulés, l’ordre de lecture, le comportement avec un lecteur d’écran et la restitution à 200 %
        et sur 320 px de large sont vérifiés à la main, page par page, sans audit formel pour l’instant.
      </p>

      <h2>Contenus non accessibles</h2>
      <h3>Non-conformités connues</h3>
      <ul>
        <li>
          Le diagramme des flux (Sankey) de la page d’accueil est une image : ses chiffres sont donnés à
          l’identique dans le tableau qui le suit.
        </li>
        <li>
          Les relevés et reçus au format PDF ne sont pas encore des PDF balisés : leur contenu est aussi
          disponible en HTML ou en données ouvertes (CSV, JSON).
        </li>
      </ul>
      <h3>Dérogations pour charge disproportionnée</h3>
      <p>Aucune.</p>
      <h3>Contenus non soumis à l’obligation d’accessibilité</h3>
      <ul>
        <li>
          La page de paiement par carte est servie par le prestataire de paiement (Stripe Checkout), hors de
          notre contrôle ; un don peut aussi se faire par virement bancaire.
        </li>
      </ul>

      <h2>Établissement de cette déclaration d’accessibilité</h2>
      <p>
        Cette déclaration a été établie le <time dateTime="2026-12-02">2 décembre 2026</time>.
      </p>
      <h3>Technologies utilisées pour la réalisation du site</h3>
      <ul>
        <li>HTML5</li>
        <li>CSS</li>
        <li>SVG</li>
      </ul>
      <p>Les pages fonctionnent sans JavaScript.</p>
      <h3>Environnement de test</h3>
      <ul>
        <li>Navigateur Chromium (distribution Debian), sans JavaScript, piloté par Playwright</li>
        <li>Largeurs d’écran : 1280 px et 320 px</li>
      </ul>
      <h3>Outils pour évaluer l’accessibilité</h3>
      <ul>
        <li>axe-core (par @axe-core/playwright), règles WCAG 2.0 et 2.1, niveaux A et AA</li>
      </ul>

      <h2>Retour d’information et contact</h2>
      <p>
        Si vous n’arrivez pas à accéder à un contenu ou à un service, écrivez-nous pour être orienté vers une
        alternative accessible ou obtenir le contenu sous une autre forme :{' '}
        <a href={`mailto:${contact}`}>{contact}</a>. Nous répondons dans un délai d’une semaine.
      </p>

      <h2>Voies de recours</h2>
      <p>
        Si vous constatez un défaut d’accessibilité qui vous empêche d’accéder à un contenu ou à une
        fonctionnalité du site, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse de
        notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de saisine au Défenseur
        des droits. Plusieurs moyens sont à votre disposition :
      </p>
      <ul>
        <li>
          écrire un message au Défenseur des droits par le <a href={DDD.form}>formulaire en ligne</a> ;
        </li>
        <li>
          contacter <a href={DDD.delegates}>le délégué du Défenseur des droits dans votre région</a> ;
        </li>
        <li>appeler le 09 69 39 00 00 ;</li>
        <li>
          envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits, Libre
          réponse 71120, 75342 Paris CEDEX 07.
        </li>
      </ul>
    </Layout>
  );
}

function English({ ctx, siteUrl, contact }: AccessibilityProps) {
  return (
    <Layout ctx={ctx} title="Accessibility statement">
      <p>
        The Librery is committed to making its online service accessible, in accordance with article 47 of
        French law no. 2005-102 of 11 February 2005 (equal rights and opportunities, participation and
        citizenship of disabled people).
      </p>
      <p>
        This statement applies to <a href={siteUrl}>{siteUrl}</a>: the public pages (ledger, projects, funding
        rounds, verification, open data), the giving journey and the pages of signed-in people.
      </p>

      <h2>Multi-year plan and action plan</h2>
      <p>
        The multi-year accessibility plan and this year’s action plan are not published yet. They will be
        published on this page before the fund opens to the public.
      </p>

      <h2>Compliance status</h2>
      <p>
        <strong>The site is not compliant</strong> with the French accessibility framework (RGAA) version 4.1:
        no compliance audit has been made yet. The site is designed to meet RGAA (WCAG 2.1 levels A and AA)
        and every page is checked automatically, but an automatic check does not replace an audit.
      </p>

      <h2>Test results</h2>
      <p>
        No RGAA audit has been made, so there is no compliance rate to publish. On every change of the code,
        the automatic tests run each page below through axe-core (WCAG 2.0 and 2.1 rules, levels A and AA) and
        require zero errors:
      </p>
      <ul>
        {TESTED_PAGES.en.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
      <p>
        These automatic checks cover only part of the criteria: the relevance of text alternatives and labels,
        reading order, screen-reader behaviour and display at 200 % zoom and 320 px width are checked by hand,
        page by page, without a formal audit so far.
      </p>

      <h2>Content that is not accessible</h2>
      <h3>Known non-compliances</h3>
      <ul>
        <li>
          The flow diagram (Sankey) on the home page is a picture: the table that follows it gives the same
          figures.
        </li>
        <li>
          Statements and receipts in PDF are not tagged PDFs yet: their content is also available as HTML or
          open data (CSV, JSON).
        </li>
      </ul>
      <h3>Exemptions for disproportionate burden</h3>
      <p>None.</p>
      <h3>Content outside the scope of the obligation</h3>
      <ul>
        <li>
          The card payment page is served by the payment provider (Stripe Checkout), outside our control; a
          gift can also be made by bank transfer.
        </li>
      </ul>

      <h2>How this statement was established</h2>
      <p>
        This statement was established on <time dateTime="2026-12-02">2 December 2026</time>.
      </p>
      <h3>Technologies the site relies on</h3>
      <ul>
        <li>HTML5</li>
        <li>CSS</li>
        <li>SVG</li>
      </ul>
      <p>The pages work without JavaScript.</p>
      <h3>Test environment</h3>
      <ul>
        <li>Chromium browser (Debian build), JavaScript off, driven by Playwright</li>
        <li>Screen widths: 1280 px and 320 px</li>
      </ul>
      <h3>Tools used to evaluate accessibility</h3>
      <ul>
        <li>axe-core (through @axe-core/playwright), WCAG 2.0 and 2.1 rules, levels A and AA</li>
      </ul>

      <h2>Feedback and contact</h2>
      <p>
        If you cannot access some content or a service, write to us to be directed to an accessible
        alternative or to get the content in another form: <a href={`mailto:${contact}`}>{contact}</a>. We
        answer within a week.
      </p>

      <h2>Recourse</h2>
      <p>
        If you report an accessibility defect that prevents you from using some content or feature of the site
        and get no satisfactory answer from us, you may refer the matter to the Défenseur des droits (the
        French rights ombudsman):
      </p>
      <ul>
        <li>
          through its{' '}
          <a href={DDD.form} hrefLang="fr">
            online form
          </a>{' '}
          (in French);
        </li>
        <li>
          through{' '}
          <a href={DDD.delegates} hrefLang="fr">
            the Défenseur des droits’ delegate in your region
          </a>
          ;
        </li>
        <li>by phone: +33 9 69 39 00 00;</li>
        <li>
          by post (free of charge, no stamp needed):{' '}
          <span lang="fr">Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07</span>, France.
        </li>
      </ul>
    </Layout>
  );
}
