// Placeholder until the ocx CLI is written (issue 6).
return 0;
