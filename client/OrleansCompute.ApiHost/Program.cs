// Placeholder until the standalone API host is written (issue 6).
return 0;
