"""Higher-education diplomas (vitnemål) and transcripts: model, texts, rendering, signing, issuing, verification."""
