// A minimal W3C WebDriver client over fetch: only what our scenarios use, with a timeout on every
// request so a wedged driver fails the test instead of hanging it (TAURI-ON-CI.md, pitfall 4).

const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

/** WebDriver key codes. */
export const Keys = {
  CONTROL: '\uE009', SHIFT: '\uE008', ESCAPE: '\uE00C', TAB: '\uE004', ENTER: '\uE007', SPACE: '\uE00D',
  ARROW_RIGHT: '\uE014',
};

export class WebDriverError extends Error {
  constructor(message, detail) {
    super(message);
    this.name = 'WebDriverError';
    this.detail = detail;
  }
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /** Starts a session of the Tauri app at `application` (absolute path) through tauri-driver. */
  static async start(base, application, { timeoutMs = 60_000 } = {}) {
    const body = {
      capabilities: { alwaysMatch: { 'tauri:options': { application } } },
    };
    const value = await request('POST', `${base}/session`, body, timeoutMs);
    return new Session(base, value.sessionId);
  }

  async cmd(method, path, body, timeoutMs = 30_000) {
    return request(method, `${this.base}/session/${this.id}${path}`, body, timeoutMs);
  }

  async find(css) {
    const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return v[ELEMENT_KEY];
  }

  /** Waits until `css` matches an element, returns its id. */
  async waitFor(css, { timeoutMs = 15_000 } = {}) {
    return poll(() => this.find(css), timeoutMs, `element ${css}`);
  }

  /** Text of the first element matching `css` (stale-safe). */
  async text(css) {
    const all = await this.texts(css);
    if (all.length === 0) throw new WebDriverError(`no such element: ${css}`);
    return all[0];
  }

  /** Attribute `name` of the first element matching `css` (stale-safe). */
  async attribute(css, name) {
    const all = await this.attributes(css, name);
    if (all.length === 0) throw new WebDriverError(`no such element: ${css}`);
    return all[0];
  }

  /** Waits until the text of `css` satisfies `predicate`; returns the text. */
  async waitForText(css, predicate, { timeoutMs = 15_000, what } = {}) {
    let last;
    return poll(
      async () => {
        last = await this.text(css);
        if (!predicate(last)) throw new Error(`text is ${JSON.stringify(last)}`);
        return last;
      },
      timeoutMs,
      what ?? `text of ${css} (last seen ${JSON.stringify(last)})`,
    );
  }

  /**
   * Clicks the element, waiting for it to appear first (screens render asynchronously).
   * A radio button is clicked until it is chosen: a click is aimed at where the element was, and
   * a screen that moved in between (something appearing above it) takes it elsewhere. Choosing a
   * radio twice changes nothing, so the retry cannot hide a wrong answer; each retry is logged.
   */
  async click(css) {
    const el = await this.waitFor(css);
    await this.cmd('POST', `/element/${el}/click`, {});
    if ((await this.cmd('GET', `/element/${el}/attribute/type`).catch(() => null)) !== 'radio') return;
    for (let attempt = 1; !(await this.cmd('GET', `/element/${el}/selected`)); attempt++) {
      if (attempt > 3) throw new WebDriverError(`the radio button ${css} is not chosen after ${attempt} clicks`);
      console.log(`a click on ${css} missed (the screen moved); clicking again`);
      await new Promise((r) => setTimeout(r, 200));
      await this.cmd('POST', `/element/${el}/click`, {});
    }
  }

  /**
   * Clicks a button that opens `expected` (a dialog, a form) and waits for it, clicking again
   * (each retry logged) when it does not come: under load a click can land while the page is
   * being laid out again, and is lost. Only for buttons that a second click leaves as the first
   * did (opening, not toggling).
   */
  async clickUntil(css, expected, { tries = 3, waitMs = 5_000 } = {}) {
    for (let attempt = 1; ; attempt++) {
      await this.click(css);
      try {
        return await this.waitFor(expected, { timeoutMs: waitMs });
      } catch (e) {
        if (attempt >= tries) throw e;
        console.log(`a click on ${css} did not open ${expected}; clicking again`);
      }
    }
  }

  /**
   * Clicks `css` until no element matches it any more (a "done" button whose item leaves the
   * list), at most `tries` times. A click that a re-layout moved onto another element is
   * retried (logged); the button is still there, so the retry cannot act twice.
   */
  async clickUntilGone(css, { tries = 3, waitMs = 10_000 } = {}) {
    for (let attempt = 1; ; attempt++) {
      await this.click(css);
      const deadline = Date.now() + waitMs;
      while (Date.now() < deadline) {
        if ((await this.texts(css)).length === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (attempt >= tries) throw new Error(`${css} is still there after ${tries} clicks`);
      console.log(`a click on ${css} did not take it away; clicking again`);
    }
  }

  /** Types `text` into the element (appends to its value). */
  async type(css, text) {
    const el = await this.waitFor(css);
    await this.cmd('POST', `/element/${el}/value`, { text });
  }

  /** Empties a form field. */
  async clear(css) {
    const el = await this.waitFor(css);
    await this.cmd('POST', `/element/${el}/clear`, {});
  }

  /** Presses a chord, e.g. `chord(Keys.CONTROL, Keys.SHIFT, 'd')`, on the focused element. */
  async chord(...keys) {
    const down = keys.map((value) => ({ type: 'keyDown', value }));
    const up = [...keys].reverse().map((value) => ({ type: 'keyUp', value }));
    await this.cmd('POST', '/actions', {
      actions: [{ type: 'key', id: 'keyboard', actions: [...down, ...up] }],
    });
    await this.cmd('DELETE', '/actions').catch(() => undefined);
  }

  /** Texts of every element matching `css`. */
  async texts(css) {
    return this.eachElement(css, (el) => this.cmd('GET', `/element/${el}/text`));
  }

  /** Values of attribute `name` of every element matching `css`. */
  async attributes(css, name) {
    return this.eachElement(css, (el) => this.cmd('GET', `/element/${el}/attribute/${encodeURIComponent(name)}`));
  }

  /**
   * Reads something from every element matching `css`. A list that re-renders between finding
   * and reading (search as you type) makes elements stale: read the whole list again.
   */
  async eachElement(css, read) {
    for (let attempt = 0; ; attempt++) {
      try {
        const els = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
        const out = [];
        for (const el of els) out.push(await read(el[ELEMENT_KEY]));
        return out;
      } catch (e) {
        if (attempt >= 20 || e?.detail?.error !== 'stale element reference') throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Whether the element can be used (a disabled fieldset disables its fields). */
  async enabled(css) {
    const el = await this.waitFor(css);
    return this.cmd('GET', `/element/${el}/enabled`);
  }

  /** The value of a form field. */
  async value(css) {
    const el = await this.waitFor(css);
    return this.cmd('GET', `/element/${el}/property/value`);
  }

  /** Resizes the window (screenshots at the 1366x768 of an old laptop). */
  async resize(width, height) {
    await this.cmd('POST', '/window/rect', { x: 0, y: 0, width, height }).catch(() => undefined);
  }

  async execute(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /**
   * PNG bytes of the window. WebKitWebDriver captures the last *painted* frame, which under Xvfb
   * lags DOM updates by a few hundred ms: wait for two animation frames and a short settle first.
   */
  async screenshot({ settleMs = 700 } = {}) {
    await this.cmd('POST', '/execute/async', {
      script: 'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));',
      args: [],
    }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, settleMs));
    const b64 = await this.cmd('GET', '/screenshot');
    return Buffer.from(b64, 'base64');
  }

  async end() {
    try {
      await this.cmd('DELETE', '', undefined, 10_000);
    } catch {
      // The app may already be gone; the harness kills leftovers anyway.
    }
  }
}

async function request(method, url, body, timeoutMs) {
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new WebDriverError(`${method} ${url} failed: ${e.message}`);
  }
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const v = json.value ?? {};
    throw new WebDriverError(`${method} ${url}: ${v.error ?? res.status}: ${v.message ?? ''}`, v);
  }
  return json.value;
}

async function poll(attempt, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      return await attempt();
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${lastError?.message}`);
}
