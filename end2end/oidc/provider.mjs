// A real OpenID Connect provider for the tests (docs/SECURITY.md, "Single sign-on"): the
// certified `oidc-provider` package, run as two providers on one local port.
//
//   /google                    plays Google: one issuer, `email_verified` in its ID tokens.
//   /ms/<tenant>/v2.0          plays one Microsoft Entra ID tenant: `tid` and `xms_edov` claims.
//   /ms/organizations/v2.0     Microsoft's multi-tenant discovery document, as Microsoft serves
//                              it: the tenant's own, with `{tenantid}` in place of the tenant in
//                              `issuer`. The app is pointed here, as it is at the real one.
//
// Both register the app as a confidential client (`rf-google`, `rf-microsoft`, secret
// `<id>-secret`) with a callback under each base in RF_OIDC_REDIRECT_BASES (comma-separated).
// Sign-in is the package's development form: any password, and the login names the person:
//   `alice@example.com`           subject `sub-alice@example.com`, verified address
//   `alice@example.com#other`     the same address on another provider account (subject `other`)
//   `unverified:bob@example.com`  an address the provider has not verified
//
// Listens on 127.0.0.1:PORT (0: any free port) and prints one line, `{"port":N,"tenant":"…"}`.
import http from "node:http";
import Provider from "oidc-provider";

const TENANT = "4f1d2c3b-8a9e-4c7d-b6a5-0e1f2a3b4c5d";
const bases = (process.env.RF_OIDC_REDIRECT_BASES ?? "http://127.0.0.1:3000")
  .split(",")
  .map((b) => b.trim().replace(/\/$/, ""))
  .filter(Boolean);

/** The person a development-form login names. */
function person(login) {
  let email = login;
  let verified = true;
  if (email.startsWith("unverified:")) {
    email = email.slice("unverified:".length);
    verified = false;
  }
  const [address, subject] = email.split("#");
  return { address, subject: subject ?? `sub-${address}`, verified };
}

function provider(issuer, name, emailClaims, extraClaims) {
  const clientId = `rf-${name}`;
  const oidc = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: `${clientId}-secret`,
        redirect_uris: bases.map((b) => `${b}/auth/oidc/${name}/callback`),
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: {
      openid: ["sub", ...Object.keys(extraClaims({ verified: true }))],
      email: emailClaims,
      profile: ["name"],
    },
    // Like Google and Microsoft, the ID token itself carries the scopes' claims.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    async findAccount(_ctx, login) {
      const who = person(login);
      return {
        accountId: login,
        async claims() {
          return {
            sub: who.subject,
            email: who.address,
            email_verified: who.verified,
            name: who.address.split("@")[0].replace(/^./, (c) => c.toUpperCase()),
            ...extraClaims(who),
          };
        },
      };
    },
    // The app is a first-party client: the person is not asked to consent to it.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });
  oidc.proxy = false;
  return oidc;
}

const server = http.createServer();
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  const google = provider(`${origin}/google`, "google", ["email", "email_verified"], () => ({}));
  const msIssuer = `${origin}/ms/${TENANT}/v2.0`;
  // Microsoft sends no `email_verified`.
  const microsoft = provider(msIssuer, "microsoft", ["email"], (who) => ({
    tid: TENANT,
    // Microsoft's "the tenant owns this address's domain" claim: its word for a verified e-mail.
    xms_edov: who.verified,
  }));
  const mounts = [
    ["/google", google.callback()],
    [`/ms/${TENANT}/v2.0`, microsoft.callback()],
  ];

  server.on("request", async (req, res) => {
    if (req.url === "/ms/organizations/v2.0/.well-known/openid-configuration") {
      const doc = await (await fetch(`${msIssuer}/.well-known/openid-configuration`)).json();
      doc.issuer = `${origin}/ms/{tenantid}/v2.0`;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(doc));
      return;
    }
    for (const [prefix, handle] of mounts) {
      if (req.url === prefix || req.url.startsWith(`${prefix}/`)) {
        req.originalUrl = req.url;
        req.url = req.url.slice(prefix.length) || "/";
        handle(req, res);
        return;
      }
    }
    res.statusCode = 404;
    res.end("not found");
  });
  process.stdout.write(`${JSON.stringify({ port, tenant: TENANT })}\n`);
});
