"""Recognition cases (godkjenningssak): external results assessed and recognised toward a qualification."""
