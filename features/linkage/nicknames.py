"""Common English nicknames and short forms, mapped to the formal forename.

Systems record the name a child is known by (``Alfie``) as often as the registered one
(``Alfred``); the comparison treats a shared formal form as a near match. Names that are a
prefix of each other (``Sam``/``Samuel``) are caught by a separate prefix level, so only forms
that are not prefixes need to be listed here.
"""

from __future__ import annotations

FORMAL_TO_NICKNAMES: dict[str, tuple[str, ...]] = {
    "ALEXANDER": ("ALEX", "ALFIE", "SANDY", "XANDER"),
    "ALEXANDRA": ("ALEX", "LEXI", "SANDRA", "ALEXA"),
    "ABIGAIL": ("ABBIE", "ABI", "ABBY", "GAIL"),
    "ALFRED": ("ALFIE", "ALF", "FRED", "FREDDIE"),
    "AMELIA": ("MILLIE", "AMY", "MILLY"),
    "ANDREW": ("ANDY", "DREW"),
    "ANTHONY": ("TONY", "ANT"),
    "ARCHIBALD": ("ARCHIE",),
    "BENJAMIN": ("BEN", "BENNY", "BENJI"),
    "CAMERON": ("CAM",),
    "CATHERINE": ("CATH", "KATE", "KATIE", "CATHY", "KAT"),
    "CHARLES": ("CHARLIE", "CHAS", "CHARLEY"),
    "CHARLOTTE": ("CHARLIE", "LOTTIE", "LOTTE", "CHARLEY"),
    "CHRISTOPHER": ("CHRIS", "KIT"),
    "DANIEL": ("DAN", "DANNY"),
    "DAVID": ("DAVE", "DAVY"),
    "EDWARD": ("ED", "EDDIE", "TED", "TEDDY", "NED"),
    "ELEANOR": ("ELLIE", "NELL", "NELLIE", "ELLA"),
    "ELIZABETH": ("LIZ", "LIZZIE", "BETH", "BETTY", "ELIZA", "LIBBY", "BESS", "ELSIE"),
    "ELLEN": ("ELLIE", "NELL"),
    "EMILY": ("EM", "EMMY", "MILLIE"),
    "EVELYN": ("EVIE", "EVE"),
    "FLORENCE": ("FLO", "FLOSSIE", "FLORRIE"),
    "FREDERICK": ("FRED", "FREDDIE", "FREDDY"),
    "GABRIEL": ("GABE",),
    "GEORGE": ("GEORDIE",),
    "HARRIET": ("HATTIE", "HARRIE"),
    "HENRY": ("HARRY", "HAL", "HANK"),
    "ISABELLA": ("BELLA", "IZZY", "ISSY", "IZZIE"),
    "ISABELLE": ("BELLE", "IZZY", "ISSY"),
    "JACOB": ("JAKE", "JAKEY"),
    "JAMES": ("JIM", "JIMMY", "JAMIE", "JIMMIE"),
    "JENNIFER": ("JEN", "JENNY", "JENNI"),
    "JESSICA": ("JESS", "JESSIE"),
    "JOHN": ("JACK", "JOHNNY", "JON"),
    "JONATHAN": ("JON", "JONNY", "JOHNNY"),
    "JOSEPH": ("JOE", "JOEY", "JOSH"),
    "JOSHUA": ("JOSH",),
    "KATHERINE": ("KATE", "KATIE", "KATH", "KAT", "KITTY"),
    "LEONARD": ("LEN", "LENNY", "LEO"),
    "MARGARET": ("MAGGIE", "MEG", "PEGGY", "MADGE", "DAISY"),
    "MATILDA": ("TILLY", "TILLIE", "MATTIE"),
    "MATTHEW": ("MATT", "MATTY"),
    "MICHAEL": ("MIKE", "MICKEY", "MICK", "MIKEY"),
    "NATASHA": ("TASH", "TASHA"),
    "NATHAN": ("NATE", "NAT"),
    "NATHANIEL": ("NATE", "NAT"),
    "NICHOLAS": ("NICK", "NICKY", "NICO"),
    "OLIVER": ("OLLIE", "OLLY"),
    "OLIVIA": ("LIV", "LIVVY", "LIVVIE", "OLLIE"),
    "PATRICK": ("PAT", "PADDY"),
    "PENELOPE": ("PENNY",),
    "REBECCA": ("BECKY", "BECCA", "BEX"),
    "RICHARD": ("RICH", "RICKY", "DICK", "RICHIE"),
    "ROBERT": ("ROB", "BOB", "BOBBY", "ROBBIE", "BERT"),
    "SAMANTHA": ("SAM", "SAMMY"),
    "SAMUEL": ("SAM", "SAMMY"),
    "SARAH": ("SALLY", "SADIE"),
    "SEBASTIAN": ("SEB", "SEBBY"),
    "SOPHIA": ("SOPHIE",),
    "STEPHEN": ("STEVE", "STEVIE"),
    "SUSANNAH": ("SUSIE", "SUE", "SUZY"),
    "THEODORE": ("THEO", "TEDDY", "TED"),
    "THOMAS": ("TOM", "TOMMY"),
    "VICTORIA": ("VICKY", "TORI", "VIC"),
    "WILLIAM": ("WILL", "BILL", "BILLY", "WILLIE", "WILLY", "LIAM"),
    "ZACHARY": ("ZAC", "ZACK", "ZAK", "ZACH"),
}


def nickname_rows() -> list[tuple[str, str]]:
    """``(name, formal)`` pairs: each name with every formal name it can stand for.

    Ambiguous nicknames (``SAM``: Samuel or Samantha; ``MILLIE``: Amelia or Emily) keep every
    reading, and every formal name stands for itself.
    """
    rows = {(formal, formal) for formal in FORMAL_TO_NICKNAMES}
    for formal, nicks in FORMAL_TO_NICKNAMES.items():
        rows.update((nick, formal) for nick in nicks)
    return sorted(rows)
