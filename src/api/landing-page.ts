/** The page at `/` when the console has not been built (src/api/console-static.ts): where to go next. */
export function landingPage(version: string, opts: { consoleMissing?: boolean } = {}): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>polis 政务云应用平台</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}a{color:#0b57d0}li{margin:.4rem 0}</style></head>
<body>
<h1>polis <small style="font-weight:normal;color:#666">${version}</small></h1>
<p>以应用为中心的政务云控制平面 · An application-centric control plane for government clouds.</p>${
    opts.consoleMissing
      ? '\n<p><strong>控制台尚未构建 · The console is not built:</strong> run <code>npm run build:web</code> (or <code>npm start</code>, which builds it), then reload this page.</p>'
      : ''
  }
<ul>
<li><a href="/docs">API 文档 / API reference (OpenAPI)</a> — authorize with the token in <code>data/admin.token</code></li>
<li><a href="/apis">/apis</a> — served kinds (needs a token)</li>
<li><a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a>, /metrics (with a platform reader's token)</li>
</ul>
<p>CLI: <code>npm run polis -- login http://127.0.0.1:8080 --token-file data/admin.token</code>, then <code>npm run polis -- get tenants</code>.</p>
</body></html>`;
}
