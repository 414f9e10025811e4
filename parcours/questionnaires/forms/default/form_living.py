"""Living standards: dwelling, assets, income and debts, social protection already received.

Materials, water, sanitation, cooking fuel and assets are asked so that the global MPI indicators can be
derived (see "mpi_classes" in mapping.json).
"""

from form_household import CONSENTED
from form_kit import Tr, exclusive, group, one_of, q

COUNT = ". >= 0 and . <= 10000"
COUNT_MESSAGE = Tr("Entre 0 et 10 000.", "بين 0 و10000.", "Between 0 and 10,000.", "Entre 0 e 10 000.")
ZERO_IF_NONE = Tr("0 s'il n'y en a pas.", "0 إذا لم يوجد.", "0 if none.", "0 se não houver.")
ALONE = Tr("« Aucun » ne se combine avec aucune autre réponse.", "«لا شيء» لا يُختار مع أي إجابة أخرى.",
           "'None' cannot be combined with another answer.", "«Nenhum» não pode ser combinado com outra resposta.")


def specify(name: str, relevant: str) -> dict:
    return q("text", name, Tr("Précisez « autre »", "حدّد «أخرى»", "Specify 'other'", "Especifique «outro»"),
             relevant=relevant)


DWELLING = group("dwelling", Tr("Logement", "المسكن", "Dwelling", "Habitação"), [
    q("select_one tenure", "tenure", Tr("À quel titre le ménage occupe-t-il ce logement ?",
                                        "ما هي صفة إشغال الأسرة لهذا المسكن؟",
                                        "Under what arrangement does the household occupy this dwelling?",
                                        "Em que regime o agregado ocupa esta habitação?")),
    q("select_one floor", "floor_material", Tr("Matériau principal du sol", "المادة الرئيسية للأرضية",
                                               "Main floor material", "Material principal do chão"),
      hint=Tr("Observez vous-même si possible.", "لاحظ بنفسك إن أمكن.", "Observe it yourself if possible.",
              "Observe pessoalmente, se possível.")),
    q("select_one roof", "roof_material", Tr("Matériau principal du toit", "المادة الرئيسية للسقف",
                                             "Main roof material", "Material principal da cobertura")),
    q("select_one walls", "wall_material", Tr("Matériau principal des murs extérieurs",
                                              "المادة الرئيسية للجدران الخارجية", "Main material of the outer walls",
                                              "Material principal das paredes exteriores")),
    q("integer", "rooms", Tr("Combien de pièces le logement compte-t-il, sans la cuisine ni la salle d'eau ?",
                             "كم عدد غرف المسكن، دون احتساب المطبخ وبيت الاستحمام؟",
                             "How many rooms does the dwelling have, not counting kitchen and bathroom?",
                             "Quantas divisões tem a habitação, sem contar a cozinha e a casa de banho?"),
      constraint=". >= 1 and . <= 30",
      message=Tr("Entre 1 et 30 pièces.", "بين 1 و30 غرفة.", "Between 1 and 30 rooms.", "Entre 1 e 30 divisões.")),
    q("select_one water_source", "water_source",
      Tr("Principale source d'eau de boisson du ménage", "المصدر الرئيسي لمياه الشرب لدى الأسرة",
         "Main source of drinking water for the household", "Principal fonte de água para beber do agregado")),
    q("integer", "water_time_min",
      Tr("Combien de minutes faut-il pour aller chercher l'eau et revenir, attente comprise ?",
         "كم دقيقة يستغرق جلب الماء ذهابًا وإيابًا، بما في ذلك وقت الانتظار؟",
         "How many minutes does it take to go, fetch water and come back, including queuing?",
         "Quantos minutos leva ir buscar água e voltar, incluindo a espera?"),
      relevant="not(" + one_of("water_source", "piped_dwelling", "piped_yard") + ")",
      constraint=". >= 0 and . <= 600",
      message=Tr("Entre 0 et 600 minutes (aller-retour).", "بين 0 و600 دقيقة (ذهابًا وإيابًا).",
                 "Between 0 and 600 minutes (round trip).", "Entre 0 e 600 minutos (ida e volta).")),
    q("select_one sanitation", "sanitation", Tr("Quel type de toilettes le ménage utilise-t-il ?",
                                                "ما نوع المرحاض الذي تستعمله الأسرة؟",
                                                "What kind of toilet does the household use?",
                                                "Que tipo de casa de banho ou latrina o agregado usa?")),
    q("select_one yes_no", "sanitation_shared",
      Tr("Ces toilettes sont-elles partagées avec d'autres ménages ?", "هل تتقاسم الأسرة هذا المرحاض مع أسر أخرى؟",
         "Are these toilets shared with other households?", "Esta casa de banho é partilhada com outros agregados?"),
      relevant="${sanitation} != 'open'"),
    q("select_one cooking_fuel", "cooking_fuel", Tr("Principal combustible utilisé pour cuisiner",
                                                    "الوقود الرئيسي المستعمل في الطبخ", "Main fuel used for cooking",
                                                    "Principal combustível usado para cozinhar")),
    q("select_one yes_no", "electricity", Tr("Le logement a-t-il l'électricité (réseau, solaire ou groupe) ?",
                                             "هل المسكن مزوَّد بالكهرباء (الشبكة أو الطاقة الشمسية أو مولّد)؟",
                                             "Does the dwelling have electricity (grid, solar or generator)?",
                                             "A habitação tem eletricidade (rede, solar ou gerador)?")),
], relevant=CONSENTED)

LIVESTOCK = (
    ("livestock_cattle", Tr("Nombre de bovins", "عدد الأبقار", "Number of cattle", "Número de bovinos")),
    ("livestock_small", Tr("Nombre de moutons et de chèvres", "عدد الأغنام والماعز", "Number of sheep and goats",
                           "Número de ovelhas e cabritos")),
    ("livestock_poultry", Tr("Nombre de volailles", "عدد الدواجن", "Number of poultry",
                             "Número de aves (galinhas, patos)")),
    ("livestock_other", Tr("Nombre de chameaux, ânes et chevaux", "عدد الإبل والحمير والخيول",
                           "Number of camels, donkeys and horses", "Número de camelos, burros e cavalos")),
)

ASSETS = group("assets", Tr("Biens du ménage", "ممتلكات الأسرة", "Household assets", "Bens do agregado familiar"), [
    q("select_multiple assets", "assets", Tr("Parmi ces biens, lesquels le ménage possède-t-il en état de marche ?",
                                             "أيّ من هذه الممتلكات تملكها الأسرة وهي صالحة للاستعمال؟",
                                             "Which of these items does the household own in working order?",
                                             "Quais destes bens o agregado possui a funcionar?"),
      constraint=exclusive("none"), message=ALONE),
    q("select_one yes_no", "land_owned", Tr("Le ménage possède-t-il des terres agricoles ?",
                                            "هل تملك الأسرة أراضي فلاحية؟", "Does the household own farm land?",
                                            "O agregado possui terra agrícola (machamba)?")),
    q("decimal", "land_area_ha", Tr("Superficie totale de ces terres, en hectares",
                                    "المساحة الجملية لهذه الأراضي بالهكتار", "Total area of this land, in hectares",
                                    "Área total dessa terra, em hectares"),
      hint=Tr("1 hectare = 10 000 m² (100 m × 100 m).", "الهكتار = 10000 م² (100 م × 100 م).",
              "1 hectare = 10,000 m² (100 m × 100 m).", "1 hectare = 10 000 m² (100 m × 100 m)."),
      relevant="${land_owned} = 'yes'", constraint=". > 0 and . <= 5000",
      message=Tr("Plus de 0 et au plus 5 000 hectares.", "أكثر من 0 وفي حدود 5000 هكتار.",
                 "More than 0 and at most 5,000 hectares.", "Mais de 0 e no máximo 5 000 hectares.")),
    *(q("integer", name, label, hint=ZERO_IF_NONE, constraint=COUNT, message=COUNT_MESSAGE)
      for name, label in LIVESTOCK),
], relevant=CONSENTED)

INCOME = group("income", Tr("Ressources", "الموارد", "Income", "Rendimentos"), [
    q("select_multiple income_sources", "income_sources",
      Tr("De quelles sources le ménage a-t-il tiré des revenus au cours des 12 derniers mois ?",
         "ما هي مصادر دخل الأسرة خلال الاثني عشر شهرًا الماضية؟",
         "From which sources did the household get income in the last 12 months?",
         "De que fontes o agregado obteve rendimentos nos últimos 12 meses?"),
      constraint=exclusive("none"), message=ALONE),
    specify("income_sources_other", "selected(${income_sources}, 'other')"),
    q("select_one income_band", "income_band",
      Tr("Revenu total du ménage au cours d'un mois habituel", "مجموع دخل الأسرة خلال شهر عادي",
         "Total household income in a usual month", "Rendimento total do agregado num mês habitual"),
      hint=Tr("Additionnez les revenus de tous les membres, en argent et en nature, et comparez au salaire "
              "minimum mensuel du pays donné en formation.",
              "اجمع مداخيل كل الأفراد نقدًا وعينًا، وقارنها بالأجر الأدنى الشهري في البلد كما حُدّد في التكوين.",
              "Add up the income of all members, in cash and in kind, and compare it with the country's monthly "
              "minimum wage given in training.",
              "Some os rendimentos de todos os membros, em dinheiro e em espécie, e compare com o salário mínimo "
              "mensal do país indicado na formação."),
      constraint="not(selected(${income_sources}, 'none')) or . = 'band_0' or . = 'dk' or . = 'refused'",
      message=Tr("Vous avez noté que le ménage n'a aucun revenu.", "سجّلتَ أن الأسرة ليس لها أي دخل.",
                 "You recorded that the household has no income.", "Registou que o agregado não tem rendimentos.")),
    q("select_one yes_no", "has_debts", Tr("Le ménage a-t-il des dettes ou des crédits à rembourser ?",
                                           "هل على الأسرة ديون أو قروض يجب تسديدها؟",
                                           "Does the household have debts or loans to repay?",
                                           "O agregado tem dívidas ou créditos por pagar?")),
    q("select_one debt_reason", "debt_reason", Tr("Pour quelle raison principale le ménage s'est-il endetté ?",
                                                  "ما هو السبب الرئيسي لاستدانة الأسرة؟",
                                                  "What is the main reason for the debt?",
                                                  "Qual é o principal motivo da dívida?"),
      relevant="${has_debts} = 'yes'"),
], relevant=CONSENTED)

PROTECTION_RECEIVED = group("protection_received", Tr("Aides reçues", "المساعدات المتلقاة", "Support received",
                                                      "Apoios recebidos"), [
    q("select_multiple social_protection", "social_protection",
      Tr("Au cours des 12 derniers mois, le ménage a-t-il reçu l'une de ces aides ?",
         "خلال الاثني عشر شهرًا الماضية، هل تلقّت الأسرة أيًّا من هذه المساعدات؟",
         "In the last 12 months, did the household receive any of this support?",
         "Nos últimos 12 meses, o agregado recebeu algum destes apoios?"),
      hint=Tr("De l'État, d'une ONG ou d'une organisation internationale.", "من الدولة أو جمعية أو منظمة دولية.",
              "From the State, an NGO or an international organisation.",
              "Do Estado, de uma ONG ou de uma organização internacional."),
      constraint=exclusive("none"), message=ALONE),
    specify("social_protection_other", "selected(${social_protection}, 'other')"),
], relevant=CONSENTED)
