// What an operator sees in the real Temporal Web UI (the dev server's, in headless Chromium) for a KYC run
// waiting for the partner's review: found by the KycStatus filter, with its summary, current details and
// search attributes on its page. Screenshots go to .artifacts/web-ui/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { projectRoot } from '../scripts/toolchain';
import { customerVerified } from '../workflows/messages';
import type { kycWorkflow } from '../workflows';
import { devServerUiUrl, launchBrowser, waitForUi, type TestBrowser } from './support/browser';
import { startKyc, startKycHarness, waitForStage, type KycHarness } from './support/kyc-harness';
import { verifiedData } from './support/decisions';
import { devServerAddress } from './support/temporal';

const shots = join(projectRoot, '.artifacts', 'web-ui');
/** How long any one thing may take to show in the UI (it polls the server; nothing here should need more). */
const uiDeadline = 10_000;
let nativeConnection: NativeConnection;
let connection: Connection;
let client: Client;
let h: KycHarness;
let browser: TestBrowser | undefined;
const started: WorkflowHandle<typeof kycWorkflow>[] = [];

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  nativeConnection = await NativeConnection.connect({ address: devServerAddress() });
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection });
  h = await startKycHarness(nativeConnection);
});

afterAll(async () => {
  await browser?.close();
  // A run the test did not get to finish must not dangle on the shared dev server.
  for (const handle of started) {
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') await handle.terminate('web-ui test did not finish');
  }
  await h?.close();
  await connection?.close();
  await nativeConnection?.close();
});

/** Waits until the visibility store answers a query with the workflow id (what the UI's list asks for). */
async function waitForVisibility(query: string, workflowId: string, deadlineMs = uiDeadline): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    for await (const wf of client.workflow.list({ query })) if (wf.workflowId === workflowId) return;
    if (Date.now() > deadline) throw new Error(`${workflowId} not returned by ${query} within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the Temporal Web UI', () => {
  it('lists a pending run under KycStatus="pending_review" and shows its summary, details and search attributes', async () => {
    browser = await launchBrowser(); // first: a missing Chromium fails the test before any run starts
    const reference = `ui-check-${Date.now()}`;
    const { customerId, handle } = await startKyc(client, h, reference);
    started.push(handle);
    const workflowId = handle.workflowId;
    expect(workflowId).toBe(`kyc-${customerId}`);
    await waitForStage(handle, 'pending_review');
    const query = 'KycStatus="pending_review"';
    await waitForVisibility(query, workflowId);

    await waitForUi();
    const page = await browser.context.newPage();
    const ui = devServerUiUrl();

    // The list, filtered by the visibility query: the filter is applied (a chip says so) and the run is there.
    await page.goto(`${ui}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    await page.getByTitle('KycStatus = "pending_review"').waitFor({ timeout: uiDeadline });
    const row = page.getByTestId('workflows-summary-configurable-table-row').filter({ hasText: workflowId });
    await row.getByRole('link', { name: workflowId }).waitFor({ timeout: uiDeadline });
    expect(await row.innerText()).toMatch(/Running/i);
    await page.screenshot({ path: join(shots, 'list.png'), fullPage: true });

    // The run's page; "User Metadata" holds the static summary and the current details, each rendered as
    // markdown in its own iframe.
    await page.goto(`${ui}/namespaces/default/workflows/${workflowId}`);
    await page.getByTestId('workflow-id-heading').getByText(workflowId).waitFor({ timeout: uiDeadline });
    await page.getByTestId('user-metadata-tab').click();
    const summary = page.frameLocator('#user-metadata-summary');
    await summary.getByText(reference).waitFor({ timeout: uiDeadline });
    expect(await summary.locator('body').innerText()).toContain(`KYC for ${reference} (${customerId})`);
    const details = page.frameLocator('#user-metadata-current-details');
    await details.getByText('pending review since').waitFor({ timeout: uiDeadline });
    const detailsText = await details.locator('body').innerText();
    expect(detailsText).toContain('pending_review');
    // The markdown renderer typesets 3/3 with a fraction slash (U+2044).
    expect(detailsText).toMatch(/documents uploaded: 3[/\u2044]3/);
    await page.screenshot({ path: join(shots, 'run-user-metadata.png'), fullPage: true });

    // "Search Attributes": a read-only JSON view of the run's search attributes.
    await page.getByTestId('search-attributes-tab').click();
    const attributes = page.getByRole('textbox', { name: 'Search Attributes' });
    await attributes.locator('.cm-line', { hasText: '"KycStatus": "pending_review"' }).waitFor({ timeout: uiDeadline });
    expect(JSON.parse(await attributes.innerText())).toMatchObject({
      KycStatus: 'pending_review',
      CustomerReference: reference,
    });
    await page.screenshot({ path: join(shots, 'run-search-attributes.png'), fullPage: true });

    // Finish the run the way production does: the partner decides, the webhook signal arrives.
    await h.rail.decide(customerId, 'verify');
    await handle.signal(customerVerified, verifiedData(customerId, reference));
    expect(await handle.result()).toMatchObject({ status: 'verified', customerReference: reference });
  });
});
