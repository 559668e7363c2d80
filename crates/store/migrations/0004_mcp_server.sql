-- MCP server of tool events recorded before 0003 (only failures were
-- backfilled): `mcp__<server>__<tool>` → server, so per-server failure
-- rates count the successful calls too.
UPDATE events
   SET mcp_server = substr(tool_name, 6, instr(substr(tool_name, 6) || '__', '__') - 1)
 WHERE mcp_server IS NULL AND tool_name LIKE 'mcp\_\_%' ESCAPE '\'
   AND length(tool_name) > 5;
UPDATE events SET mcp_server = NULL WHERE mcp_server = '';
