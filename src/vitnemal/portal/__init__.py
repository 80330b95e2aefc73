"""Vitnemålsportalen: owners fetch their results from every institution and share them; recipients open them."""
