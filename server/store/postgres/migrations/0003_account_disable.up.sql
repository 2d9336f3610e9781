-- An operator account can be disabled, for good: a leaked token is
-- revoked by disabling its account. The row stays, so its name and
-- token hash stay taken and the audit table's entries keep naming it.
-- NULL while the account is active.

ALTER TABLE accounts ADD COLUMN disabled_at timestamptz;
