"""The household roster (group ``roster``, repeat ``member``): identity, age and relationship checks.

Education, functioning (Washington Group) and work questions per member are in form_member.py.
"""

from form_household import CONSENTED
from form_kit import Tr, calc, group, note, q, repeat
from form_member import MEMBER_DETAILS

LATIN = r"""regex(., "^[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F '\u2019.-]+$")"""
ARABIC = r"""regex(., "^[\u0600-\u06FF\u0750-\u077F '\u2019-]+$")"""
LATIN_MESSAGE = Tr("Lettres latines seulement (le nom en arabe se saisit plus loin).",
                   "حروف لاتينية فقط (يُكتب الاسم بالعربية في سؤال لاحق).",
                   "Latin letters only (the name in Arabic script comes later).",
                   "Apenas letras latinas (o nome em escrita árabe vem a seguir).")
ARABIC_MESSAGE = Tr("Écriture arabe seulement.", "بالحروف العربية فقط.", "Arabic script only.",
                    "Apenas escrita árabe.")

# The interview date, or today when it is blank: browser engines may drop a default set at load on a field
# that is not relevant yet (ident waits for consent), and the age checks must not break on that.
ON = "decimal-date-time(coalesce(${interview_date}, today()))"
# Age in whole years at the interview, from a date of birth (``.`` inside the dob constraint).
def age_from(dob: str) -> str:
    return f"int(({ON} - decimal-date-time({dob})) div 365.25)"



def age_rules(age: str) -> str:
    """Ages that fit the relationship to the head (member 1), whose age is ${head_age}."""
    return (f"{age} >= 0 and {age} <= 120"
            f" and (${{member_index}} > 1 or {age} >= 12)"
            f" and (${{relationship}} != 'spouse' or {age} >= 12)"
            f" and (${{relationship}} != 'child' or {age} < ${{head_age}})"
            f" and (${{relationship}} != 'parent' or {age} > ${{head_age}})"
            f" and (${{relationship}} != 'grandchild' or {age} + 20 <= ${{head_age}})")


AGE_MESSAGE = Tr(
    "Âge incohérent avec le lien de parenté. Le chef de ménage et un conjoint ont au moins 12 ans ; un "
    "fils ou une fille est plus jeune que le chef, un parent plus âgé, un petit-enfant a au moins 20 ans "
    "de moins. Âge du chef : ${head_age} ans.",
    "العمر لا يتوافق مع صلة القرابة. يبلغ ربّ الأسرة والزوج(ة) 12 سنة على الأقل، والابن أو البنت أصغر "
    "من ربّ الأسرة، والأب أو الأم أكبر منه، والحفيد أصغر منه بعشرين سنة على الأقل. عمر ربّ الأسرة: "
    "${head_age} سنة.",
    "Age does not fit the relationship. The head and a spouse are at least 12; a son or daughter is "
    "younger than the head, a parent older, a grandchild at least 20 years younger. Head's age: "
    "${head_age}.",
    "Idade incoerente com o parentesco. O chefe e o cônjuge têm pelo menos 12 anos; um filho ou filha é "
    "mais novo do que o chefe, um pai ou mãe mais velho, um neto pelo menos 20 anos mais novo. Idade do "
    "chefe: ${head_age} anos.")


def name_pair(name: str, latin: Tr, arabic: Tr, *, hint: Tr | None = None, needed: bool = False) -> list[dict]:
    """A name in Latin script, then in Arabic script; with ``needed``, one of the two must be given."""
    either = Tr("Écrivez ce nom en lettres latines ou en arabe.", "اكتب هذا الاسم بالحروف اللاتينية أو العربية.",
                "Write this name in Latin letters or in Arabic script.",
                "Escreva este nome em letras latinas ou em escrita árabe.")
    return [
        q("text", name, latin, hint=hint, required=False, constraint=LATIN, message=LATIN_MESSAGE),
        q("text", f"{name}_ar", arabic, constraint=ARABIC, message=ARABIC_MESSAGE,
          required=f"${{{name}}} = ''" if needed else False, required_message=either if needed else None),
    ]


IDENTITY = [
    calc("member_index", "position(..)"),
    calc("head_age", "indexed-repeat(${age}, ${member}, 1)"),
    note("head_first_note", Tr("Commencez par le chef de ménage.", "ابدأ بربّ الأسرة.",
                               "Start with the head of household.", "Comece pelo chefe do agregado familiar."),
         relevant="${member_index} = 1"),
    *name_pair("given_name", Tr("Prénom (lettres latines)", "الاسم الشخصي (بالحروف اللاتينية)",
                                "Given name (Latin letters)", "Nome próprio (letras latinas)"),
               Tr("Prénom en arabe", "الاسم الشخصي بالعربية", "Given name in Arabic script",
                  "Nome próprio em escrita árabe"),
               hint=Tr("Comme sur la pièce d'identité, s'il y en a une.", "كما هو مكتوب في بطاقة الهوية إن وُجدت.",
                       "As written on the identity document, if there is one.",
                       "Como está no documento de identificação, se houver."), needed=True),
    *name_pair("family_name", Tr("Nom de famille (lettres latines)", "اللقب (بالحروف اللاتينية)",
                                 "Family name (Latin letters)", "Apelido (letras latinas)"),
               Tr("Nom de famille en arabe", "اللقب بالعربية", "Family name in Arabic script",
                  "Apelido em escrita árabe")),
    *name_pair("father_name", Tr("Prénom du père (lettres latines)", "اسم الأب (بالحروف اللاتينية)",
                                 "Father's given name (Latin letters)", "Nome do pai (letras latinas)"),
               Tr("Prénom du père en arabe", "اسم الأب بالعربية", "Father's given name in Arabic script",
                  "Nome do pai em escrita árabe"),
               hint=Tr("Aide à distinguer les personnes qui portent le même nom.",
                       "يساعد على التمييز بين الأشخاص الذين يحملون الاسم نفسه.",
                       "Helps to tell apart people with the same name.",
                       "Ajuda a distinguir pessoas com o mesmo nome.")),
    calc("display_name", "coalesce(${given_name}, ${given_name_ar})"),
    q("select_one sex", "sex", Tr("Sexe de ${display_name}", "جنس ${display_name}", "Sex of ${display_name}",
                                  "Sexo de ${display_name}")),
    q("select_one relationship", "relationship",
      Tr("Lien de ${display_name} avec le chef de ménage", "صلة ${display_name} بربّ الأسرة",
         "Relationship of ${display_name} to the head of household",
         "Relação de ${display_name} com o chefe do agregado"),
      hint=Tr("Fils ou fille : y compris les enfants adoptés et ceux du conjoint.",
              "الابن أو البنت: بمن فيهم الأبناء بالتبنّي أو بالكفالة وأبناء الزوج(ة).",
              "Son or daughter includes adopted children and the spouse's children.",
              "Filho ou filha: inclui os filhos adotivos e os filhos do cônjuge."),
      choice_filter="(${member_index} = 1 and name = 'head') or (${member_index} > 1 and name != 'head')",
      constraint="(${member_index} = 1 and . = 'head') or (${member_index} > 1 and . != 'head')",
      message=Tr("Le premier membre est le chef de ménage, et il n'y a qu'un seul chef.",
                 "الفرد الأول هو ربّ الأسرة، ولا يوجد إلا ربّ أسرة واحد.",
                 "The first member is the head of household, and there is only one head.",
                 "O primeiro membro é o chefe do agregado e só há um chefe.")),
    q("select_one yes_no", "dob_known",
      Tr("La date de naissance de ${display_name} est-elle connue ?", "هل تاريخ ميلاد ${display_name} معروف؟",
         "Is the date of birth of ${display_name} known?", "A data de nascimento de ${display_name} é conhecida?"),
      hint=Tr("Vérifiez sur une pièce d'identité ou un acte de naissance si possible.",
              "تحقّق منه في بطاقة الهوية أو شهادة الميلاد إن أمكن.",
              "Check it on an identity document or birth certificate if possible.",
              "Confirme num documento de identificação ou na certidão de nascimento, se possível.")),
    q("date", "dob", Tr("Date de naissance", "تاريخ الميلاد", "Date of birth", "Data de nascimento"),
      relevant="${dob_known} = 'yes'",
      constraint=f"decimal-date-time(.) <= {ON} and "
                 + age_rules(age_from(".")),
      message=AGE_MESSAGE),
    q("integer", "age_declared", Tr("Âge en années révolues", "العمر بالسنوات الكاملة", "Age in completed years",
                                    "Idade em anos completos"),
      hint=Tr("Si l'âge exact n'est pas connu, estimez-le à partir d'événements marquants. 0 pour un bébé "
              "de moins d'un an.",
              "إذا لم يكن العمر الدقيق معروفًا فقدّره بالاستعانة بأحداث بارزة. اكتب 0 للرضيع دون السنة.",
              "If the exact age is not known, estimate it from well-known events. 0 for a baby under one.",
              "Se a idade exata não for conhecida, estime-a a partir de acontecimentos marcantes. 0 para um "
              "bebé com menos de um ano."),
      relevant="${dob_known} = 'no'", constraint=age_rules("."), message=AGE_MESSAGE),
    calc("age", "if(${dob_known} = 'yes' and ${dob} != '', " + age_from("${dob}") + ", ${age_declared})"),
    note("age_note", Tr("Âge calculé : ${age} ans.", "العمر المحسوب: ${age} سنة.", "Calculated age: ${age}.",
                        "Idade calculada: ${age} anos."), relevant="${dob_known} = 'yes' and ${dob} != ''"),
]

ROSTER = group("roster", Tr("Composition du ménage", "تركيبة الأسرة", "Household members",
                            "Composição do agregado familiar"), [
    note("household_definition", Tr(
        "Le ménage, ce sont les personnes qui vivent habituellement dans ce logement, prennent leurs repas "
        "ensemble et mettent en commun tout ou partie de leurs ressources. Comptez les membres absents "
        "depuis moins de 6 mois, pas les visiteurs.",
        "الأسرة هي الأشخاص الذين يقيمون عادةً في هذا المسكن ويتناولون طعامهم معًا ويتقاسمون كل مواردهم أو "
        "بعضها. احسب الأفراد الغائبين منذ أقل من 6 أشهر، ولا تحسب الزوّار.",
        "The household is the people who usually live in this dwelling, eat together and share all or part "
        "of their resources. Count members away for less than 6 months, not visitors.",
        "O agregado familiar são as pessoas que vivem habitualmente nesta habitação, comem juntas e partilham "
        "todos ou parte dos seus recursos. Conte os membros ausentes há menos de 6 meses, não as visitas.")),
    q("integer", "hh_size", Tr("Combien de personnes font partie du ménage, chef de ménage compris ?",
                               "كم عدد أفراد الأسرة، بمن فيهم ربّ الأسرة؟",
                               "How many people belong to the household, including the head?",
                               "Quantas pessoas fazem parte do agregado familiar, incluindo o chefe?"),
      constraint=". >= 1 and . <= 30",
      message=Tr("Entre 1 et 30 personnes.", "بين 1 و30 فردًا.", "Between 1 and 30 people.",
                 "Entre 1 e 30 pessoas.")),
    *repeat("member", Tr("Membre du ménage", "فرد من الأسرة", "Household member", "Membro do agregado familiar"),
            IDENTITY + MEMBER_DETAILS, count="${hh_size}"),
    note("roster_check", Tr(
        "Attention : ${hh_size} personnes déclarées mais un autre nombre de membres saisis. Corrigez la taille "
        "du ménage ou la liste.",
        "تنبيه: عدد الأفراد المُدخَلين لا يساوي ${hh_size} المصرَّح به. صحّح حجم الأسرة أو القائمة.",
        "Warning: ${hh_size} people declared but a different number of members entered. Correct the household "
        "size or the list.",
        "Atenção: foram declaradas ${hh_size} pessoas, mas foi registado outro número de membros. Corrija o "
        "tamanho do agregado ou a lista."),
        relevant="count(${member}) != ${hh_size}"),
], relevant=CONSENTED)
