-- Owners manage their account's webhooks through the application role.
GRANT INSERT, DELETE ON account_webhooks TO rf_app;
