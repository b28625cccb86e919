"""Small embedded lists of common UK forenames and surnames, and the nicknames people use.

Written by hand for the synthetic council (no downloads); order matters only for determinism.
"""

from __future__ import annotations

BOYS: tuple[str, ...] = (
    "Oliver", "Harry", "George", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar",
    "William", "James", "Leo", "Alfie", "Henry", "Joshua", "Freddie", "Archie", "Ethan",
    "Isaac", "Alexander", "Joseph", "Edward", "Samuel", "Max", "Daniel", "Logan", "Lucas",
    "Mohammed", "Benjamin", "Mason", "Harrison", "Theo", "Jake", "Sebastian", "Finley",
    "Arthur", "Adam", "Dylan", "Riley", "Zachary", "Teddy", "David", "Toby", "Luke", "Michael",
    "Matthew", "Reuben", "Tyler", "Callum", "Kian", "Jayden", "Kai", "Connor", "Liam", "Ryan",
    "Lewis", "Nathan", "Robert", "Christopher", "Anthony", "Andrew", "Aaron", "Ben", "Jamie",
)

GIRLS: tuple[str, ...] = (
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella",
    "Lily", "Evie", "Isabella", "Sophie", "Ivy", "Freya", "Harper", "Willow", "Charlotte",
    "Jessica", "Chloe", "Florence", "Ruby", "Daisy", "Phoebe", "Sienna", "Alice", "Elizabeth",
    "Millie", "Matilda", "Evelyn", "Rosie", "Scarlett", "Layla", "Erin", "Holly", "Megan",
    "Lucy", "Katie", "Hannah", "Abigail", "Rebecca", "Samantha", "Jennifer", "Victoria",
    "Catherine", "Amy", "Lauren", "Leah", "Paige", "Courtney", "Jade", "Keira", "Niamh",
    "Aisha", "Zara", "Maisie", "Eleanor", "Margaret", "Natasha", "Kayla", "Tia", "Summer",
)

SURNAMES: tuple[str, ...] = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
    "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
    "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards",
    "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson",
    "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain",
    "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
    "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey",
    "Okafor", "Mensah", "Kowalski", "Nowak", "O'Brien", "Fletcher", "Sutton", "Hobbs",
)

# Forename -> names the same person is often recorded under in another system.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Will", "Bill", "Billy"),
    "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Alexander": ("Alex", "Xander"),
    "Thomas": ("Tom", "Tommy"),
    "James": ("Jim", "Jamie"),
    "Joseph": ("Joe", "Joey"),
    "Samuel": ("Sam", "Sammy"),
    "Benjamin": ("Ben", "Benji"),
    "Daniel": ("Dan", "Danny"),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Frederick": ("Fred", "Freddie"),
    "Henry": ("Harry", "Hal"),
    "Joshua": ("Josh",),
    "Jacob": ("Jake",),
    "Matthew": ("Matt",),
    "Michael": ("Mike", "Mikey"),
    "Christopher": ("Chris",),
    "Anthony": ("Tony", "Ant"),
    "Andrew": ("Andy", "Drew"),
    "Robert": ("Rob", "Bob", "Bobby"),
    "David": ("Dave",),
    "Nathan": ("Nate",),
    "Zachary": ("Zach",),
    "Sebastian": ("Seb",),
    "Theo": ("Theodore",),
    "Charlie": ("Charles",),
    "Olivia": ("Liv", "Livvy"),
    "Isabella": ("Bella", "Izzy"),
    "Sophia": ("Sophie",),
    "Charlotte": ("Lottie", "Charlie"),
    "Jessica": ("Jess",),
    "Abigail": ("Abbie", "Abi"),
    "Rebecca": ("Becky", "Becca"),
    "Samantha": ("Sam", "Sammie"),
    "Jennifer": ("Jen", "Jenny"),
    "Victoria": ("Vicky", "Tori"),
    "Catherine": ("Kate", "Cathy"),
    "Eleanor": ("Ellie", "Nell"),
    "Margaret": ("Maggie", "Peggy"),
    "Natasha": ("Tash",),
    "Matilda": ("Tilly",),
    "Florence": ("Flo",),
    "Amelia": ("Millie",),
    "Evelyn": ("Evie",),
}
