// End to end: the designer in Debian's chromium against `sluice serve` with
// the real engine. Build a flow by dragging webhook, python and http from
// the palette, connect them, type a transform, live-test two events (one
// dropped), run the flow, POST an event to the webhook, watch the counters
// move and the event arrive at a sink on 127.0.0.1, export the file and run
// it with `sluice run`. Screenshots go to e2e/artifacts/.
//
// Needs: SLUICE_BIN (a sluice binary built with the frontend embedded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from './browser.mjs';

const BIN = process.env.SLUICE_BIN || '/tmp/sluice';
const ART = new URL('./artifacts/', import.meta.url).pathname;
mkdirSync(ART, { recursive: true });

const TRANSFORM = `def transform(event):
    if event["amount"] < 0:
        return None
    event["email"] = event["email"].lower()
    print("kept", event["email"])
    return event
`;

/** An HTTP sink on 127.0.0.1 that records every body it receives. */
async function startSink() {
  const bodies = [];
  const srv = createServer((req, res) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      bodies.push(b);
      res.end('ok');
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { bodies, url: `http://127.0.0.1:${srv.address().port}/orders`, close: () => srv.close() };
}

/** Starts a sluice command and resolves once stderr matches re. */
function startSluice(args, env, re) {
  const p = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sluice ${args[0]} did not start:\n${log}`)), 20000);
    const onData = (d) => {
      log += d;
      const m = re.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    p.stderr.on('data', onData);
    p.stdout.on('data', onData);
    p.on('exit', (code) => reject(new Error(`sluice ${args[0]} exited ${code}:\n${log}`)));
  });
  return { p, ready, log: () => log };
}

function stopProcess(p) {
  return new Promise((resolve) => {
    if (p.exitCode !== null) return resolve(p.exitCode);
    p.once('exit', (code) => resolve(code));
    p.kill('SIGTERM');
  });
}

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Drags a palette item onto the canvas at (x, y) of the page. */
async function dragKind(page, kind, x, y) {
  await page.getByTestId(`palette-${kind}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
}

/** Connects two nodes from the output handle of one to the input of the other. */
async function connect(page, from, to) {
  const a = await page.getByTestId(`out-${from}`).boundingBox();
  const b = await page.getByTestId(`in-${to}`).boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  // React Flow takes the first move as the drag start: nudge, then go in steps.
  await page.mouse.move(a.x + a.width / 2 + 1, a.y + a.height / 2);
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

test('design, live-test, run and export a flow', { timeout: 180000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  const env = { XDG_DATA_HOME: join(tmp, 'data'), XDG_CONFIG_HOME: join(tmp, 'config') };
  const sink = await startSink();
  const serve = startSluice(['serve', '--addr', '127.0.0.1:0', '--listen', '127.0.0.1:0'], env, /designer at (http:\/\/\S+)/);
  const [, url] = await serve.ready;
  const browser = await launch();
  let runner;
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    const errors = [];
    page.on('pageerror', (e) => {
      errors.push(e.message);
      console.error('pageerror:', e.message);
    });
    page.on('console', (m) => m.type() === 'error' && console.error('browser:', m.text()));
    await page.goto(url);
    await page.getByTestId('palette-python').waitFor();
    await page.screenshot({ path: join(ART, '01-empty.png') });

    // Build: drag three kinds from the palette.
    await dragKind(page, 'webhook', 110, 150);
    await dragKind(page, 'python', 300, 290);
    await dragKind(page, 'http', 500, 150);
    for (const id of ['webhook1', 'python1', 'http1']) await page.getByTestId(`node-${id}`).waitFor();
    await connect(page, 'webhook1', 'python1');
    await connect(page, 'python1', 'http1');
    await page.getByTestId('canvas').click({ position: { x: 300, y: 680 } });
    await page.getByTestId('flow-name').fill('orders');
    await page.getByTestId('flow-log-level').selectOption('debug');

    // Configure the webhook and the http destination through their forms.
    await page.getByTestId('node-webhook1').click();
    await page.getByTestId('field-config.path').fill('/hooks/orders');
    await page.getByTestId('node-http1').click();
    await page.getByTestId('field-config.url').fill(sink.url);

    // Type the transform into the code editor.
    await page.getByTestId('node-python1').click();
    const editor = page.locator('[data-testid=code-editor] .cm-content');
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(TRANSFORM);
    await until('the flow to validate', async () => (await page.getByTestId('problem-count').textContent()) === 'valid');

    // Live test: two events, the second dropped.
    await page.getByTestId('samples').fill('[{"amount": 12, "email": "Ann@Example.COM"}, {"amount": -5, "email": "x@y.z"}]');
    await editor.click();
    await page.keyboard.press('Control+Enter'); // runs the live test from the editor
    await page.getByTestId('result-1').waitFor();
    assert.equal(await page.getByTestId('result-0').getAttribute('data-state'), 'ok');
    assert.equal(await page.getByTestId('result-1').getAttribute('data-state'), 'dropped');
    assert.match(await page.getByTestId('result-0').textContent(), /ann@example\.com/);
    assert.match(await page.getByTestId('result-0').textContent(), /kept ann@example\.com/);
    await page.screenshot({ path: join(ART, '02-live-test.png') });

    // Run on the embedded engine and send an event to the webhook.
    await page.getByTestId('run').click();
    await page.getByTestId('stop').waitFor();
    await page.getByTestId('canvas').click({ position: { x: 300, y: 680 } });
    const hook = await page.getByTestId('url-webhook1').textContent();
    assert.match(hook, /^http:\/\/127\.0\.0\.1:\d+\/hooks\/orders$/);
    const res = await fetch(hook, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"amount": 30, "email": "Bob@Example.com"}' });
    assert.equal(res.status, 202);
    await until('delivery to the sink', () => sink.bodies.length === 1);
    assert.deepEqual(JSON.parse(sink.bodies[0]), { amount: 30, email: 'bob@example.com' });
    await until('the counters', async () => (await page.getByTestId('ctr-http1-delivered').textContent().catch(() => '')) === 'delivered 1');
    assert.equal(await page.getByTestId('ctr-webhook1-received').textContent(), 'in 1');
    await page.screenshot({ path: join(ART, '03-running.png') });
    // The run charts fill in, one sample a second.
    await page.locator('[data-testid=chart-in] canvas').waitFor();
    await page.locator('[data-testid=chart-queue] canvas').waitFor();
    assert.match(await page.getByTestId('chart-in').textContent(), /webhook1/);

    // The destination's managed queue: state, pause and resume.
    await page.getByTestId('node-http1').click();
    await until('the queue state', async () => (await page.getByTestId('queue-state').textContent().catch(() => '')) === 'running');
    await page.getByRole('button', { name: 'Pause' }).click();
    await until('paused', async () => (await page.getByTestId('queue-state').textContent()) === 'paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await until('resumed', async () => (await page.getByTestId('queue-state').textContent()) !== 'paused');
    await page.screenshot({ path: join(ART, '03-queue.png') });
    await page.locator('[data-testid=chart-node-queue] canvas').waitFor();
    assert.match(await page.getByTestId('chart-node-rates').textContent(), /in.*out/);

    // The event the webhook received can be taken as a test sample.
    await page.getByTestId('node-python1').click();
    await page.getByRole('button', { name: 'Last events' }).click();
    await until('the last events as samples', async () => /Bob@Example\.com/.test(await page.getByTestId('samples').inputValue()));
    await page.getByTestId('canvas').click({ position: { x: 300, y: 680 } });

    // The event's trace: received, transformed, delivered.
    await page.getByTestId('event').first().click();
    await until('the trace', async () => (await page.locator('[data-testid=trace] li').count()) >= 3);
    const trace = await page.getByTestId('trace').textContent();
    for (const step of ['received at webhook1', 'transformed at python1', 'attempted at http1']) assert.match(trace, new RegExp(step));
    await page.screenshot({ path: join(ART, '03-trace.png') });

    // The transform's before/after diff: the email changed, the amount did not.
    const changed = page.locator('[data-testid=diff] tr[data-kind=changed]');
    await changed.first().waitFor();
    assert.equal(await changed.count(), 1);
    assert.ok(await changed.first().isVisible());
    assert.match(await changed.first().textContent(), /email.*Bob@Example\.com.*bob@example\.com/);
    assert.match(await page.locator('[data-testid=diff] tr[data-kind=same]').first().textContent(), /amount/);
    // Re-run the input through the current code, beside the recorded output.
    await page.getByTestId('rerun').first().click();
    await page.getByTestId('rerun-now').waitFor();
    assert.equal(await page.getByTestId('rerun-now').getAttribute('data-state'), 'ok');
    assert.match(await page.getByTestId('rerun-now').textContent(), /bob@example\.com/);
    await changed.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ART, '07-trace-diff.png') });
    await page.keyboard.press('Escape');
    // The same in the other theme.
    await page.getByRole('button', { name: 'toggle theme' }).click();
    await page.getByTestId('event').first().click();
    await changed.first().waitFor();
    await changed.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ART, '07-trace-diff-other-theme.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('run-charts').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ART, '08-charts-other-theme.png') });
    await page.getByRole('button', { name: 'toggle theme' }).click();
    await page.getByTestId('run-charts').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ART, '08-charts.png') });

    // Export for a server, then stop.
    await page.getByTestId('export').click();
    const file = join(tmp, 'orders.yaml');
    await page.getByTestId('export-path').fill(file);
    await page.getByTestId('export-write').click();
    await page.getByTestId('export-written').waitFor();
    assert.match(await page.getByTestId('export-command').textContent(), /^sluice run /);
    await page.screenshot({ path: join(ART, '04-export.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('stop').click();
    await page.getByTestId('run').waitFor();
    assert.deepEqual(errors, []);

    // The exported file runs headless with identical semantics.
    const exported = readFileSync(file, 'utf8');
    assert.match(exported, /kind: python/);
    assert.match(exported, /layout:/);
    assert.match(exported, /log_level: debug/);
    runner = startSluice(['run', file, '--listen', '127.0.0.1:0', '--data', join(tmp, 'run-data')], env, /listen=(127\.0\.0\.1:\d+)/);
    const [, addr] = await runner.ready;
    const r2 = await fetch(`http://${addr}/hooks/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"amount": 1, "email": "CAROL@example.com"}' });
    assert.equal(r2.status, 202);
    const r3 = await fetch(`http://${addr}/hooks/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"amount": -1, "email": "dropped@example.com"}' });
    assert.equal(r3.status, 202);
    await until('delivery by sluice run', () => sink.bodies.length === 2);
    assert.deepEqual(JSON.parse(sink.bodies[1]), { amount: 1, email: 'carol@example.com' });
    assert.equal(await stopProcess(runner.p), 0, runner.log());
    runner = undefined;
  } catch (e) {
    await page.screenshot({ path: join(ART, 'failure.png') }).catch(() => {});
    throw e;
  } finally {
    if (runner) await stopProcess(runner.p);
    await browser.close();
    await stopProcess(serve.p);
    sink.close();
  }
});

test('edit: validation marks, refused edges, undo/redo, copy/paste, delete, save, reopen, bad file', { timeout: 120000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-e2e-edit-'));
  const env = { XDG_DATA_HOME: join(tmp, 'data'), XDG_CONFIG_HOME: join(tmp, 'config') };
  const serve = startSluice(['serve', '--addr', '127.0.0.1:0', '--listen', '127.0.0.1:0'], env, /designer at (http:\/\/\S+)/);
  const [, url] = await serve.ready;
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const count = () => page.locator('.react-flow__node').count();
  const notice = async () => (await page.getByTestId('notice').textContent()) ?? '';
  try {
    await page.goto(url);
    for (const kind of ['webhook', 'python', 'python', 'http']) await page.getByTestId(`palette-${kind}`).dblclick();
    for (const id of ['webhook1', 'python1', 'python2', 'http1']) await page.getByTestId(`node-${id}`).waitFor();
    await page.getByTestId('canvas').click({ position: { x: 300, y: 680 } });
    await page.keyboard.press('l');

    // The engine's problems: on the box and under the field.
    await page.getByTestId('problems-http1').waitFor();
    await page.getByTestId('node-http1').click();
    assert.match(await page.locator('[data-field="config.url"] .problem').textContent(), /required/);

    // Edges into a source, and cycles, are refused.
    await connect(page, 'webhook1', 'python1');
    await connect(page, 'python1', 'python2');
    await connect(page, 'python2', 'python1');
    assert.match(await notice(), /cycle/);
    assert.equal(await page.locator('.react-flow__edge').count(), 2);

    // Undo and redo the last edge.
    await page.getByTestId('canvas').click({ position: { x: 300, y: 680 } });
    await page.keyboard.press('Control+z');
    await until('undo', async () => (await page.locator('.react-flow__edge').count()) === 1);
    await page.keyboard.press('Control+Shift+z');
    await until('redo', async () => (await page.locator('.react-flow__edge').count()) === 2);

    // Copy, paste, delete.
    await page.getByTestId('node-python2').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await page.getByTestId('node-python3').waitFor();
    assert.equal(await count(), 5);
    await page.keyboard.press('Delete');
    await until('delete', async () => (await count()) === 4);

    // Save (the web console asks for a path), start anew, reopen.
    const file = join(tmp, 'edited.yaml');
    await page.keyboard.press('Control+s');
    await page.getByTestId('save-path').fill(file);
    await page.getByTestId('save-confirm').click();
    await until('saved', async () => /Saved/.test(await notice()));
    assert.match(readFileSync(file, 'utf8'), /from: python1\n\s+to: python2/);
    await page.getByRole('button', { name: 'New' }).click();
    await until('a new flow', async () => (await count()) === 0);
    await page.getByTestId('open').click();
    await page.getByTestId('open-path').fill(file);
    await page.keyboard.press('Enter');
    await page.getByTestId('node-python2').waitFor();
    assert.equal(await count(), 4);

    // A file that does not parse gives a clear message and keeps the flow.
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nname: bad\nnodes: [\n');
    await page.getByTestId('open').click();
    await page.getByTestId('open-path').fill(bad);
    await page.keyboard.press('Enter');
    await until('the parse error', async () => /Cannot open .*line/.test(await notice()));
    await page.keyboard.press('Escape');
    assert.equal(await count(), 4);
    await page.screenshot({ path: join(ART, '05-edit.png') });

    // Light and dark themes.
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const before = await theme();
    await page.getByRole('button', { name: 'toggle theme' }).click();
    assert.notEqual(await theme(), before);
    await page.getByTestId('node-python1').click();
    await page.screenshot({ path: join(ART, '06-other-theme.png') });
  } catch (e) {
    await page.screenshot({ path: join(ART, 'failure-edit.png') }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
    await stopProcess(serve.p);
  }
});

const FAILING = `def transform(event):
    if event["amount"] < 0:
        raise ValueError("negative amount")
    event["email"] = event["email"].lower()
    return event
`;

const FIXED = `def transform(event):
    event["amount"] = max(event["amount"], 0)
    event["email"] = event["email"].lower()
    event["checked"] = True
    return event
`;

test('re-run a failed event and a dead letter through the edited transform, then replay', { timeout: 120000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-e2e-rerun-'));
  const env = { XDG_DATA_HOME: join(tmp, 'data'), XDG_CONFIG_HOME: join(tmp, 'config') };
  let status = 400; // refused (not retried): the first delivery is dead at once
  const bodies = [];
  const srv = createServer((req, res) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      if (status === 200) bodies.push(b);
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const file = join(tmp, 'rerun.yaml');
  const indent = (s) => s.trimEnd().split('\n').map((l) => `          ${l}`).join('\n');
  writeFileSync(file, `version: 1
name: rerun
nodes:
  - id: hook
    kind: webhook
    config:
      path: /in
  - id: clean
    kind: python
    config:
      code: |
${indent(FAILING)}
  - id: out
    kind: http
    config:
      url: http://127.0.0.1:${srv.address().port}/in
edges:
  - from: hook
    to: clean
  - from: clean
    to: out
`);
  const serve = startSluice(['serve', '--addr', '127.0.0.1:0', '--listen', '127.0.0.1:0'], env, /designer at (http:\/\/\S+)/);
  const [, url] = await serve.ready;
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.getByTestId('open').click();
    await page.getByTestId('open-path').fill(file);
    await page.keyboard.press('Enter');
    await page.getByTestId('node-clean').waitFor();
    await until('the flow to validate', async () => (await page.getByTestId('problem-count').textContent()) === 'valid');
    await page.getByTestId('run').click();
    await page.getByTestId('stop').waitFor();
    const hook = await page.getByTestId('url-hook').textContent();
    for (const body of ['{"amount": -3, "email": "Neg@Example.com"}', '{"amount": 7, "email": "Pos@Example.com"}']) {
      const r = await fetch(hook, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      assert.equal(r.status, 202);
    }

    // The transform's failed event: re-run it as is (still fails), then
    // through the fixed code (now an output, beside the recorded error).
    await page.getByTestId('node-clean').click();
    const failed = page.getByTestId('transform-dead');
    await failed.waitFor();
    await failed.locator('summary').first().click();
    assert.match(await failed.textContent(), /negative amount/);
    await failed.getByTestId('rerun').click();
    await until('the re-run', async () => (await failed.getByTestId('rerun-now').getAttribute('data-state').catch(() => '')) === 'error');
    const editor = page.locator('[data-testid=code-editor] .cm-content');
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(FIXED);
    await failed.getByTestId('rerun').click();
    await until('the re-run with the fixed code', async () => (await failed.getByTestId('rerun-now').getAttribute('data-state')) === 'ok');
    assert.match(await failed.getByTestId('rerun-now').textContent(), /"amount": 0/);
    assert.match(await failed.locator('[data-testid=rerun-result] .result.error').textContent(), /negative amount/);
    await failed.getByTestId('rerun-result').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ART, '09-rerun-failed.png') });

    // The destination's dead letter: re-run the body that entered the
    // transform, see what changes against the recorded output, replay.
    await page.getByTestId('node-out').click();
    const queue = page.getByTestId('queue');
    await until('the dead letter', async () => (await queue.locator('details.dead').count().catch(() => 0)) === 1);
    await queue.locator('details.dead summary').first().click();
    await queue.getByTestId('rerun').click();
    await queue.getByTestId('rerun-now').waitFor();
    const added = queue.locator('[data-testid=diff] tr[data-kind=added]');
    await added.first().waitFor();
    assert.match(await added.first().textContent(), /checked.*true/);
    await queue.getByTestId('rerun-result').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ART, '09-rerun-dead.png') });
    status = 200;
    await queue.getByTestId('rerun-replay').click();
    await until('the replayed delivery', () => bodies.length === 1);
    assert.deepEqual(JSON.parse(bodies[0]), { amount: 7, email: 'pos@example.com' });
    await page.getByTestId('stop').click();
    await page.getByTestId('run').waitFor();
    assert.deepEqual(errors, []);
  } catch (e) {
    await page.screenshot({ path: join(ART, 'failure-rerun.png') }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
    await stopProcess(serve.p);
    srv.close();
  }
});
