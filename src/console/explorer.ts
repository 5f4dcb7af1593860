/**
 * The explorer at GET /graphql: GraphiQL served from this server (react, react-dom and graphiql from the
 * installed packages under /explorer/), so it works on a network without internet. The headers editor is
 * open, prefilled with the console's token when the same browser signed in to the console.
 */
export function explorerHtml(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>GraphQL 接口调试 · 三级政协联动</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/explorer/graphiql.css">
<style>html,body,#graphiql{height:100%;margin:0}</style>
</head>
<body>
<div id="graphiql">正在加载…</div>
<script src="/explorer/react.js"></script>
<script src="/explorer/react-dom.js"></script>
<script src="/explorer/graphiql.js"></script>
<script>
(function () {
  var token = null;
  try { token = window.localStorage.getItem('cppcc.token'); } catch (e) {}
  var headers = JSON.stringify({ authorization: token ? 'Bearer ' + token : 'Bearer <token>' }, null, 2);
  var url = window.location.origin + '/graphql';
  // Subscriptions go over graphql-ws, which carries the token in connectionParams, not in HTTP headers.
  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: url.replace(/^http/, 'ws'), wsConnectionParams: token ? { authorization: 'Bearer ' + token } : undefined });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultHeaders: headers,
    headerEditorEnabled: true,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: 'headers',
    defaultQuery: '# 在左下方“Headers”中填入令牌（Bearer <token>），然后运行\\n{\\n  me { role tenant { code committeeName } }\\n}\\n',
  }));
})();
</script>
</body>
</html>`;
}
