-- 100,000 tickets with one inbound message each, written straight into a
-- migrated store (abusedesk init first). :now is replaced by run.sh.
-- Spread over the last ~90 days, four statuses, two kinds, 50 organisations
-- and 500 reporters, so the queue's filters and the overview see real spread.
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO ticket (number, kind, status, subject, reporter, classification, org, created_at, updated_at)
SELECT 100000 + i,
  CASE WHEN i % 10 = 0 THEN 'incident' ELSE 'report' END,
  CASE i % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'open' WHEN 2 THEN 'resolved' ELSE 'rejected' END,
  'Port scan from 198.51.' || (i % 256) || '.' || (i / 256 % 256) || ' (report ' || i || ')',
  'reporter' || (i % 500) || '@example.org',
  CASE i % 3 WHEN 0 THEN 'information-gathering/scanner' ELSE 'intrusion-attempts/brute-force' END,
  'org' || (i % 50),
  :now - (100000 - i) * 77, :now - (100000 - i) * 77
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO message (direction, state, raw, size, received_at, ticket, message_id, subject, from_addr, to_addr, body_text, processed_at)
SELECT 'in', 'done',
  CAST('From: reporter' || (i % 500) || '@example.org' || char(10) || 'To: irt@csirt.example' || char(10) ||
       'Subject: Port scan (report ' || i || ')' || char(10) || 'Message-ID: <' || i || '@example.org>' || char(10) ||
       'MIME-Version: 1.0' || char(10) || 'Content-Type: text/plain' || char(10) || char(10) ||
       'We see scanning from 198.51.' || (i % 256) || '.' || (i / 256 % 256) || ' since 10:00 UTC.' || char(10) AS BLOB),
  200, :now - (100000 - i) * 77, 100000 + i, i || '@example.org', 'Port scan (report ' || i || ')',
  'reporter' || (i % 500) || '@example.org', 'irt@csirt.example',
  'We see scanning from 198.51.' || (i % 256) || '.' || (i / 256 % 256) || ' since 10:00 UTC.', :now
FROM n;
UPDATE seq SET value = 200001 WHERE name = 'ticket';
COMMIT;
ANALYZE;
