"""Round trips with other tools: `fmt`, spreadsheets out and in, scores back from the workshop (issue 14)."""
