"""Study programmes: what a diploma says about the programme a degree builds on, and admissions to programmes."""
