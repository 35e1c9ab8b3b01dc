import { SummaryList } from '../components';
import { Layout } from '../layout';
import { PageContext } from '../page-context';
import { CATALOGUE } from './catalogue.messages';

export interface VerifyProps {
  ctx: PageContext;
  baseUrl: string;
  verifierKey: string;
  checkpoint: { treeSize: number; rootHash: string } | null;
}

/** What the checkpoint, the key and `librery verify` prove, in plain words, with the command to run. */
export function VerifyPage({ ctx, baseUrl, verifierKey, checkpoint }: VerifyProps) {
  const c = CATALOGUE[ctx.lang];
  const command = `npx librery verify ${baseUrl} --key ${verifierKey}`;
  return (
    <Layout ctx={ctx} title={c.verifyTitle} lead={c.verifyLead}>
      <h2>{c.verifyWhatTitle}</h2>
      <p>{c.verifyLog}</p>
      <p>{c.verifyCheckpoint}</p>
      <p>{c.verifyKey}</p>
      <p>{c.verifyTool}</p>
      <p>{c.verifyNot}</p>
      <h2>{c.verifyCurrent}</h2>
      {checkpoint ? (
        <SummaryList
          items={[
            { term: c.verifySize, value: checkpoint.treeSize },
            { term: c.verifyRoot, value: <code>{checkpoint.rootHash}</code> },
            { term: c.verifyKeyLabel, value: <code>{verifierKey}</code> },
          ]}
        />
      ) : (
        <p>{c.verifyNone}</p>
      )}
      <h2>{c.verifyRunTitle}</h2>
      <p>{c.verifyRunText}</p>
      <pre>
        <code>{command}</code>
      </pre>
      <h2>{c.verifyLinks}</h2>
      <ul>
        <li>
          <a href="/log/checkpoint">{c.verifyCheckpointLink}</a>
        </li>
        <li>
          <a href="/log/key">{c.verifyKeyLink}</a>
        </li>
        <li>
          <a href="/open-data">{ctx.t.navOpenData}</a>
        </li>
      </ul>
    </Layout>
  );
}
