"""The fetch routine (Resultatutveksling): orders, parallel fan-out to every node, outcomes, retries, import."""
