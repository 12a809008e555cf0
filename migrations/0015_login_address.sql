-- Each refresh token keeps the client's address as the server resolved it (behind a trusted
-- proxy, the forwarded one: docs/SECURITY.md, "Behind a proxy"), so that the security page can
-- tell two devices with the same browser apart (docs/SECURITY.md, "Devices").
ALTER TABLE refresh_tokens ADD COLUMN client_address text;
